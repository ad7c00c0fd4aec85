## Coordinators' broadcasts: the composer, the progress message, the summary, the list.

btn-broadcast-new = 📣 Новая рассылка
btn-broadcasts = 📬 Мои рассылки
broadcast-compose =
    <b>📣 Новая рассылка</b>
    Пришлите сообщение, которое получат люди: текст (можно с жирным, курсивом, ссылками — как в обычном сообщении Telegram), или фото либо документ с подписью.
    Дальше выберете, кому и когда отправить, и увидите, как оно будет выглядеть.
broadcast-compose-again = Пришлите новый текст, фото или документ — он заменит прежний.
btn-broadcast-discard = ✖️ Отменить черновик
broadcast-discarded = Черновик рассылки удалён, ничего не отправлено.
broadcast-empty = В сообщении нет ни текста, ни фото, ни документа. Пришлите текст, фото или документ с подписью.
broadcast-unsupported = Такое сообщение разослать нельзя (стикеры, голосовые, опросы и т. п.). Пришлите текст, фото или документ с подписью.
broadcast-too-long = Текст длиннее 4096 символов — столько Telegram не пропустит. Сократите его или разбейте на две рассылки.
broadcast-caption-too-long = Подпись к фото или документу — не больше 1024 символов (у Telegram такой предел), а в вашей больше. Сократите подпись или отправьте текст без вложения.
broadcast-file-too-large = Файл слишком большой: фото — до 10 МБ, документ — до 50 МБ. Пришлите файл поменьше.
broadcast-use-buttons = Сейчас нужно выбрать кнопкой под сообщением.
broadcast-draft =
    <b>📣 Рассылка — черновик</b>
    ✉️ { $content }
    { $button }
    👥 Кому: { $audience }
    🧮 Получат: <b>{ $count }</b> { $count ->
        [one] человек
        [few] человека
       *[many] человек
    }
    🕒 { $when }
broadcast-content = { $media ->
        [photo] фото с подписью, { $length } симв.
        [document] документ с подписью, { $length } симв.
       *[other] текст, { $length } симв.
    }
broadcast-button-none = 🔘 Кнопка: нет
broadcast-button-link = 🔘 Кнопка-ссылка: { $url }
broadcast-button-event = 🔘 Кнопка мероприятия: «{ $title }»
broadcast-when-now = Когда: сразу после подтверждения
broadcast-when-at = Когда: { $when }
broadcast-nobody-yet = ⚠️ Под выбранные условия сейчас никто не подходит — измените получателей.
btn-broadcast-audience = 👥 Кому
btn-broadcast-link = 🔗 Кнопка-ссылка
btn-broadcast-event = 📌 Кнопка мероприятия
btn-broadcast-when = 🕒 Когда
btn-broadcast-preview = 👁 Как это увидят
btn-broadcast-text = ✏️ Другой текст
btn-broadcast-send = ✅ Отправить ({ $count })
btn-broadcast-schedule = ✅ Запланировать ({ $count })
btn-broadcast-done = ✅ Готово
broadcast-everyone = все пользователи бота
broadcast-own-people = люди организации «{ $organisation }»
broadcast-audience-schools = школы: { $schools }
broadcast-audience-grades = классы: { $grades }
broadcast-audience-kinds = подписчики анонсов: { $kinds }
broadcast-audience-event = записавшиеся на «{ $title }»
broadcast-audience =
    <b>👥 Кому отправить</b>
    Сейчас: { $audience } — <b>{ $count }</b> { $count ->
        [one] человек
        [few] человека
       *[many] человек
    }.
    Все отмеченные условия должны выполняться вместе; ничего не отмечено в строке — значит, «все».{ $scoped ->
        [yes] { "" }
        Вы координатор одной организации: рассылка дойдёт только до её людей (или до записавшихся на ваши мероприятия).
       *[no] { "" }
    }
btn-broadcast-schools = 🏫 Школы: { $chosen }
btn-broadcast-grades = 🎓 Классы: { $chosen }
btn-broadcast-kinds = 🔔 Подписчики анонсов: { $chosen }
btn-broadcast-signed = 📅 Записавшиеся на мероприятие: { $chosen }
broadcast-chosen-all = все
broadcast-chosen-none = нет
broadcast-chosen-some = { $count } выбрано
broadcast-pick-schools = <b>🏫 Какие школы?</b> Отметьте одну или несколько; ничего не отмечено — все.
broadcast-pick-grades = <b>🎓 Какие классы?</b> Учитываются ученики этих классов (в этом учебном году). Ничего не отмечено — любые.
broadcast-pick-kinds = <b>🔔 Подписчики каких анонсов?</b> Получат только те, кто подписан на анонсы отмеченных видов мероприятий (и смогут отписаться одной кнопкой). Ничего не отмечено — не по подписке.
broadcast-pick-event = <b>📅 Записавшиеся на какое мероприятие?</b> Получат записанные, стоящие в листе ожидания и уже пришедшие.
broadcast-pick-button-event = <b>📌 Кнопка какого мероприятия?</b> Под сообщением будет кнопка, открывающая его карточку с записью.
broadcast-no-events = Ваших предстоящих мероприятий нет.
btn-broadcast-no-event = Без мероприятия
broadcast-ask-link = <b>🔗 Кнопка-ссылка.</b> Пришлите адрес, начинающийся с https:// — под сообщением будет кнопка «{ btn-broadcast-open-link }».
btn-broadcast-no-link = Без ссылки
btn-broadcast-open-link = 🔗 Подробнее
btn-broadcast-event-open = 📅 Подробнее и запись
btn-broadcast-unsubscribe = 🔕 Отписаться от анонсов
broadcast-bad-link = Это не похоже на адрес сайта. Пришлите ссылку вида https://example.ru/страница.
broadcast-ask-when =
    <b>🕒 Когда отправить?</b>
    Выберите кнопкой или напишите дату и время, например «25.12 15:00» (или только время — «15:00» — на сегодня).
btn-broadcast-now = Сразу
btn-broadcast-in-hour = Через час
btn-broadcast-tomorrow = Завтра в 10:00
broadcast-bad-time = Не понял дату и время. Напишите, например, «25.12 15:00» или «15:00».
broadcast-time-past = Это время уже прошло. Выберите время в будущем.
broadcast-time-far = Запланировать можно не дальше чем на три месяца вперёд.
broadcast-preview-note = 👆 Так сообщение увидят получатели.
broadcast-nobody = Под выбранные условия никто не подходит — отправлять некому. Измените получателей.
broadcast-event-gone = Мероприятие для кнопки больше недоступно. Выберите другое или уберите кнопку.
broadcast-confirmed = { $scheduled ->
        [yes] 🕒 <b>Рассылка запланирована</b> на { $when }: { $count } { $count ->
            [one] получатель
            [few] получателя
           *[many] получателей
        }. До начала её можно отменить в «Мои рассылки».
       *[no] 🚀 <b>Рассылка началась</b>: { $count } { $count ->
            [one] получатель
            [few] получателя
           *[many] получателей
        }. Ход отправки — в следующем сообщении.
    }
broadcast-already = Эта рассылка уже создана (повторное нажатие) — второй раз её не отправим.
broadcast-progress =
    <b>📣 Рассылка №{ $id }</b> — { $status ->
        [scheduled] запланирована
        [sending] идёт отправка
        [done] завершена
       *[cancelled] остановлена
    }
    ✅ доставлено: { $sent }
    🚫 заблокировали бота: { $blocked }
    ⚠️ не доставлено: { $failed }
    ⏳ осталось: { $left }{ $stopped ->
        [0] { "" }
       *[other] { "" }
        ✋ не отправлено (остановлено или отписались): { $stopped }
    }{ $eta ->
        [none] { "" }
       *[other] { "" }
        Ориентировочно до конца: { $eta }
    }
broadcast-eta = { $minutes ->
        [0] меньше минуты
        [one] { $minutes } минута
        [few] { $minutes } минуты
       *[many] { $minutes } минут
    }
btn-broadcast-stop = ⏹ Остановить рассылку
btn-broadcast-stop-yes = Да, остановить
broadcast-stop-confirm = <b>Остановить рассылку №{ $id }?</b> Кому уже отправлено — получили; остальным ({ $left }) сообщение не придёт.
broadcast-stopped-toast = Рассылка остановлена
broadcast-over-toast = Рассылка уже завершена
broadcast-summary =
    <b>🏁 Рассылка №{ $id } завершена.</b>
    Из { $total }: доставлено { $sent }, заблокировали бота { $blocked }, не доставлено { $failed }{ $stopped ->
        [0] { "" }
       *[other] , не отправлено (остановлено или отписались) { $stopped }
    }.
broadcast-file-failed = 📎 Файл рассылки не удалось отправить в { $channel } — получателям там рассылка не доставлена. Причина: { $reason }
btn-broadcast-failures = 📄 Кому не доставлено (CSV)
broadcast-failures-caption = Рассылка №{ $id }: не доставлено — { $count }.
broadcast-failures-none = Недоставленных нет.
broadcast-failure-header = Telegram ID;роль;организация;класс;итог;причина
broadcast-outcome = { $outcome ->
        [blocked] заблокировал бота
        [failed] не доставлено
       *[other] { $outcome }
    }
broadcasts-list =
    <b>📬 Рассылки</b>
    Последние { $count } — нажмите, чтобы увидеть ход отправки, остановить или скачать список недоставленных.
broadcasts-list-empty = <b>📬 Рассылки</b>
    Рассылок пока не было.
btn-broadcast-item = { $status ->
        [scheduled] 🕒
        [sending] 🚀
        [done] ✅
       *[cancelled] ⏹
    } №{ $id } · { $date } · { $preview }
broadcast-card-text = <b>Текст:</b> { $preview }
btn-broadcasts-back = « К рассылкам
