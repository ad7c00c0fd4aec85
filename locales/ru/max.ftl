# The bot in MAX (bot/max/): what reports say about the messenger a user is in.
attendee-channel-column = Мессенджер
channel-name = { $channel ->
        [max] MAX
       *[telegram] Telegram
    }
