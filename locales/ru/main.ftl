## Профнавигатор — all the words the bot says, in Russian.
## Coordinators may reword anything here; keep the {$placeholders} and the key names.
## Fluent syntax: https://projectfluent.org/fluent/guide/ (selectors pick plural forms and roles).
## Text is HTML: <b>bold</b>, <i>italic</i>; write &lt; for a literal "<".

## --- Buttons shared by many screens

btn-menu = 🏠 Главное меню
btn-back = ← Назад
btn-help = ❓ Помощь
btn-types = 🧭 Типы профессий и где учиться
btn-places = 🏫 Колледжи, техникумы, центр занятости
btn-consent = Дать согласие и начать
btn-consent-again = Дать согласие
btn-profile = 👤 Мой профиль
btn-mydata = 🔒 Мои данные
btn-results = 📊 Мои результаты

## --- Welcome and consent

welcome =
    <b>Здравствуйте! Это Профнавигатор города Зимы.</b>

    Бот помогает выбрать профессию: пройдите опросник Климова и узнайте, какие профессии вам ближе и где в Зиме и области им учатся. Здесь же — профпробы, дни открытых дверей и экскурсии школ, техникума, центра занятости и предприятий города.{ $linked ->
        [yes] {"\u000A"}{"\u000A"}Чтобы открыть то, на что вела ссылка, сначала дайте согласие и расскажите немного о себе — это займёт минуту.
       *[no] { "" }
    }
btn-welcome-next = Начать →

# Raise the version whenever the consent text changes: users are then asked again.
consent-version = 2026-12-03-r
consent =
    { $updated ->
        [yes] <b>Текст согласия обновился.</b> Пожалуйста, прочитайте его ещё раз.{"\u000A"}{"\u000A"}
       *[no] { "" }
    }<b>Согласие на обработку персональных данных</b>

    Чтобы сохранять ваши ответы и результаты, нам нужно ваше согласие (152-ФЗ).

    <b>Что мы храним:</b> ваш ID в Telegram или MAX, кто вы (ученик, родитель…), школу и класс, ответы и результаты опросников, записи на мероприятия. Когда вы записываетесь на мероприятие, организатор видит ваше имя из профиля в мессенджере — чтобы знать, кто придёт. Телефон храним, только если вы сами оставите его в заявке на консультацию: его видят координаторы организации, куда вы обратились, и комитета по образованию. Если Telegram или MAX доставит от вас сообщение, которое бот не сможет прочитать, оно сохранится как пришло (с вашим именем из профиля), чтобы разработчики нашли ошибку, и удалится само через { $days } { $days ->
        [one] день
        [few] дня
       *[many] дней
    }.
    <b>Зачем:</b> чтобы показывать ваши результаты и подходящие мероприятия, а городу — видеть обезличенную статистику профориентации.
    <b>Кто обрабатывает:</b> комитет по образованию администрации г. Зимы и партнёры программы профориентации.
    <b>Сколько храним:</b> пока вы не удалите данные командой /forget — это можно сделать в любой момент.

    Если вам меньше 14 лет, согласие даёт родитель: нажмите кнопку вместе с ним.

    <i>Версия согласия: { $version }</i>
btn-agree = ✅ Даю согласие
btn-decline = Не даю согласия
consent-thanks = Спасибо! Согласие сохранено.
consent-declined =
    Хорошо, мы ничего о вас не сохранили.

    Без согласия можно смотреть типы профессий и где им учатся. Если передумаете — нажмите кнопку ниже или /start.
consent-decline-registered =
    Хорошо. Без согласия бот не сохраняет новых ответов. То, что уже сохранено, можно посмотреть и удалить в «Мои данные» (команда /forget).
need-consent =
    Для этого нужно ваше согласие на обработку данных: без него мы не можем сохранять ответы.
welcome-back = С возвращением!

## --- Profile: role, school, grade

role-student = 🎒 Я школьник
role-college_student = 🚆 Я студент колледжа
role-parent = 👪 Я родитель
role-adult = 💼 Ищу работу или переобучение
role-teacher = 📚 Я педагог
ask-role = <b>Кто вы?</b> От этого зависит, что бот будет вам предлагать. Выбор можно поменять потом в профиле.
ask-organisation =
    { $role ->
        [student] <b>В какой школе вы учитесь?</b>
        [college_student] <b>В каком колледже вы учитесь?</b>
       *[other] <b>Где вы работаете?</b>
    }
ask-grade =
    { $role ->
        [college_student] <b>На каком вы курсе?</b>
       *[other] <b>В каком вы классе?</b>
    }
btn-grade = { $grade } класс
btn-course = { $grade } курс
sample-note = <i>Список пока примерный: комитет по образованию уточняет его. { $role ->
        [college_student] Если вашего колледжа в нём нет, выберите «Другой колледж».
        [teacher] Если вашей школы или колледжа в нём нет, выберите «Другая школа» или «Другой колледж».
       *[other] Если вашей школы в нём нет, выберите «Другая школа».
    }</i>
sample-note-study = <i>Списки учебных программ пока примерные (пометка «пример»): комитет по образованию уточняет их.</i>
profile-saved = Готово, сохранили.
role-name = { $role ->
        [student] школьник
        [college_student] студент колледжа
        [parent] родитель
        [adult] ищу работу или переобучение
        [teacher] педагог
        [coordinator] координатор
        [admin] администратор
       *[other] не указано
    }
profile =
    <b>Мой профиль</b>

    Кто я: { $role_name }
    Организация: { $organisation }{ $has_grade ->
        [yes] { $role ->
            [college_student] {"\u000A"}Курс: { $grade ->
                [0] колледж окончен
                [none] не указан
               *[other] { $grade }
            }
           *[other] {"\u000A"}Класс: { $grade ->
                [0] школа окончена
                [none] не указан
               *[other] { $grade }
            }
        }
       *[no] { "" }
    }
btn-change-role = Изменить: кто я
btn-change-organisation =
    { $role ->
        [college_student] Изменить колледж
        [teacher] Изменить место работы
       *[other] Изменить школу
    }
btn-change-grade =
    { $role ->
        [college_student] Изменить курс
       *[other] Изменить класс
    }

## --- Main menu

menu =
    <b>Главное меню</b>

    { $role ->
        [student] Начните с опросника Климова: он подскажет, какие профессии вам ближе.
        [college_student] Пройдите опросник Климова: он покажет, какие направления вам ближе.
        [parent] Здесь можно узнать о типах профессий и о том, где учатся в Зиме. Опросник можно пройти вместе с ребёнком.
        [adult] Где переобучиться и найти работу — в разделе «Колледжи, техникумы, центр занятости». Опросник Климова поможет понять, какое направление вам ближе.
        [teacher] Опросник Климова можно пройти самостоятельно, чтобы знать, что увидят ученики.
       *[other] Выберите, что сделать.
    }
menu-guest =
    <b>Главное меню</b>

    Без согласия на обработку данных доступна справка о профессиях. Чтобы пройти опросник и сохранить результат, дайте согласие.
btn-quiz-start = 📝 Пройти: { $title }
btn-quiz-continue = ▶️ Продолжить: { $title } — { $done } из { $total }

## --- Commands (the list in Telegram's menu button)

cmd-start = Начать сначала
cmd-menu = Главное меню
cmd-help = Помощь
cmd-quiz = Опросник Климова
cmd-events = Мероприятия и профпробы
cmd-plans = Мои планы
cmd-results = Мои результаты
cmd-profile = Мой профиль
cmd-mydata = Мои данные и их удаление

help =
    <b>Помощь</b>

    Профнавигатор — часть городской программы профориентации Зимы.

    /quiz — опросник Климова (20 вопросов, 5–10 минут)
    /results — ваши результаты
    /profile — кто вы, школа и класс
    /events — мероприятия и профпробы; /plans — куда вы записаны
    /subscriptions — анонсы новых мероприятий
    /mydata — что о вас хранится; /forget — удалить всё
    /menu — главное меню

    Бот понимает кнопки под сообщениями. Если кнопка не срабатывает — нажмите /menu.

## --- The questionnaire

quiz-intro =
    <b>{ $title }</b>
    <i>{ $author ->
        [none] { "" }
       *[other] Автор: { $author }.{" "}
    }{ $total } { $total ->
        [one] вопрос
        [few] вопроса
       *[many] вопросов
    }{ $duration ->
        [none] { "" }
       *[other] , { $duration }
    }.</i>

    { $summary }

    <b>Как отвечать.</b> { $instruction }

    Можно вернуться на вопрос назад, а можно прерваться: ответы сохраняются, продолжите с того же места.
btn-quiz-begin = Начать
quiz-resume =
    <b>{ $title }</b>

    Вы остановились на вопросе { $number } из { $total } (отвечено { $done }). Продолжим?
btn-quiz-continue-short = ▶️ Продолжить
btn-quiz-restart = Начать заново
quiz-restart-confirm =
    <b>Начать заново?</b>

    Ответы этой попытки ({ $done } из { $total }) будут удалены. Прошлые результаты останутся.
btn-quiz-restart-yes = Да, начать заново
quiz-question =
    <b>{ $title }</b> · вопрос { $number } / { $total }

    Что вы выбрали бы?

    { $options }
quiz-option = <b>{ $letter }</b> — { $text }
btn-quiz-back = ← Предыдущий
btn-quiz-pause = ⏸ Прерваться
quiz-paused = Ответы сохранены ({ $done } из { $total }). Продолжить можно из меню в любой момент.
quiz-stale = Этот вопрос уже позади — вот текущий.
quiz-repeated = Ответ уже учтён.
quiz-finished-toast = Готово! Вот ваш результат.
quiz-use-buttons = Чтобы ответить, нажмите кнопку с буквой под вопросом. Повторяю текущий вопрос:
quiz-need-profile = Сначала расскажите немного о себе — это займёт полминуты.
reminder-quiz =
    Вы начали «{ $title }» и ответили на { $done } из { $total }. Ответы сохранены — продолжите, когда будет удобно.

## --- Results

result-head = <b>Ваш результат: { $title }</b> — { $date }
result-scale = { $leading ->
        [yes] ★
       *[no] •
    } { $title }: <b>{ $score }</b> из { $max } — { $band }
result-leading = { $count ->
        [one] <b>Ведущий тип:</b>
       *[other] <b>Ведущие типы</b> (поровну баллов, все они вам близки):
    }
result-type =
    <b>{ $title }.</b> { $description }
    <i>Профессии:</i> { $professions }.
    <i>Где учиться:</i>
    { $study }
result-type-short = <b>{ $title }.</b> { $description }
result-events = <b>Попробуйте себя в деле</b> — ближайшие профпробы и мероприятия по вашим типам профессий:
result-more = Профессии и где им учатся — по кнопкам «Подробнее» ниже.
result-footer = <i>Результат опросника — подсказка, а не приговор. Обсудите его с теми, кто вас знает: с близкими, классным руководителем, педагогом-психологом или консультантом центра занятости — и попробуйте себя в деле.</i>
study-line = { $in_town ->
        [yes] 📍
       *[no] 🚌
    } { $title } — { $organisation }{ $sample ->
        [yes] {" "}<i>(пример)</i>
       *[no] { "" }
    }
study-none = пока нет данных — спросите в центре занятости или у классного руководителя.
results-empty = Вы ещё не проходили опросники. Начните с опросника Климова — это 5–10 минут.
results-list = <b>Мои результаты</b>

    Завершено попыток: { $count }.{ $shown ->
        [all] { "" }
       *[other] {" "}Ниже — последние { $shown }.
    } Нажмите на результат, чтобы открыть его.
results-item = { $date }: { $leading }
btn-type-more = Подробнее: { $title }

## --- Public information: interest types

types =
    <b>Пять типов профессий</b> (по Е. А. Климову)

    Выберите тип, чтобы увидеть профессии и где им учатся: 📍 — в Зиме, 🚌 — в других городах области.
type-page =
    <b>{ $title }</b>

    { $description }

    <i>Важные качества:</i> { $qualities }.

    <b>Профессии:</b> { $professions }.

    <b>Где учиться:</b>
    { $study }

places =
    <b>Где учиться и переобучиться</b>

    { $role ->
        [adult] Переобучение и поиск работы начинаются в Центре занятости. Ниже — и учебные заведения с их программами; «профессиональное обучение» — короткие курсы на несколько месяцев.
        [parent] Куда можно поступить после 9 и 11 класса — в Зиме и в других городах Иркутской области.
        [teacher] Учебные заведения, куда поступают выпускники Зимы, и их программы.
       *[other] Куда можно поступить после 9 и 11 класса и где пройти профессиональное обучение.
    }

    📍 — в Зиме, 🚌 — в других городах области.
btn-place = { $in_town ->
        [yes] 📍
       *[no] 🚌
    } { $name }
place-head =
    <b>{ $name }</b>{ $sample ->
        [yes] {" "}<i>(пример)</i>
       *[no] { "" }
    }
    { $in_town ->
        [yes] 📍 Зима
       *[no] 🚌 другой город Иркутской области
    }
place-employment-centre = Встать на учёт, подобрать вакансию или курс переобучения можно и онлайн — на портале «Работа России».
place-level = <i>Уровень: { $level }</i>
place-programme = • { $title } <i>({ $types }{ $sample ->
        [yes] ; пример
       *[no] { "" }
    })</i>

## --- Personal data

mydata =
    <b>Что о вас хранится</b>

    ID в Telegram: { $id }
    Кто вы: { $role_name }
    Организация: { $organisation }
    Класс или курс: { $grade ->
        [0] окончил(а)
        [none] —
       *[other] { $grade }
    }
    Пройдено опросников: { $quizzes }
    Записей на мероприятия: { $registrations }
    Начато и не закончено: { $unfinished }
    С нами с: { $created }
    Согласие: { $consent_date }, версия { $consent_version }

    Телефон мы храним, только если вы сами оставили его в заявке на консультацию. Ваше имя из Telegram хранится в записях на мероприятия — его видит организатор — и в сообщениях, которые бот не смог прочитать (они удаляются сами через { $days } { $days ->
        [one] день
        [few] дня
       *[many] дней
    }).
mydata-none = О вас ничего не хранится: вы не давали согласия на обработку данных.
mydata-stranger =
    Согласия на обработку данных вы не давали, профиля у вас нет. Но бот сохранил { $count } { $count ->
        [one] сообщение
        [few] сообщения
       *[many] сообщений
    } от вас, которые не смог прочитать, — они в файле ниже. Такие сообщения удаляются сами через { $days } { $days ->
        [one] день
        [few] дня
       *[many] дней
    }, а сразу — командой /forget.
forget-confirm-stranger =
    <b>Удалить сообщения, которые бот не смог прочитать?</b>

    Профиля у вас нет: удалятся только они.
btn-forget = 🗑 Удалить мои данные
forget-confirm =
    <b>Удалить все ваши данные?</b>

    Профиль, ответы и результаты будут удалены без возможности восстановления. В городской статистике останется только обезличенная запись о пройденных шагах — без связи с вами.
btn-forget-yes = Да, удалить
btn-forget-no = Нет, оставить
forget-done = Ваши данные удалены. Спасибо, что были с нами! Чтобы начать заново, нажмите /start.

## --- Unexpected input

button-outdated = Эта кнопка устарела — вот актуальный экран.
unexpected-text = Я понимаю кнопки под сообщениями и команды из меню.
unexpected-guest = Я понимаю кнопки под сообщениями. Чтобы начать, нажмите /start.
error = Извините, что-то пошло не так. Предыдущие ответы сохранены — попробуйте ещё раз или нажмите /menu.
private-only = Профнавигатор работает только в личной переписке с ботом.

## --- Events: the list, the card, signing up

btn-events = 📅 Мероприятия и пробы
btn-plans = 🗓 Мои планы
btn-page-back = ‹ Назад
btn-page-next = Дальше ›
btn-yes = Да
btn-no = Нет
btn-partly = Отчасти
event-kind = { $kind ->
        [trial] Профессиональная проба
        [open_day] День открытых дверей
        [excursion] Экскурсия на предприятие
        [meeting] Встреча с профессионалами
        [competition] Конкурс профмастерства
        [profession_month] Месячник профориентации
        [game] Профориентационная игра
        [employment_centre] Встреча в центре занятости
        [teacher_seminar] Семинар для педагогов
        [teacher_course] Курсы повышения квалификации
       *[other] Мероприятие
    }
interest-type = { $type ->
        [nature] человек — природа
        [technic] человек — техника
        [human] человек — человек
        [sign] человек — знаковая система
        [art] человек — художественный образ
       *[other] { $type }
    }
event-kinds = <b>Какие мероприятия показать?</b>
btn-event-kind-all = Все виды
btn-event-kinds = 🔎 Вид: { $kind ->
        [all] все
       *[other] { event-kind }
    }
events-list =
    <b>Мероприятия и профпробы</b> { $kind ->
        [all] { "" }
       *[other] — { $kind }
    }
    Подходят вам: { $count }{ $pages ->
        [1] { "" }
       *[other] , страница { $page } из { $pages }
    }. Ближайшие — сверху.
    ✅ — вы записаны, ⏳ — в листе ожидания.
events-none =
    <b>Мероприятия и профпробы</b>

    { $kind ->
        [all] Пока нет предстоящих мероприятий, которые вам подходят.
       *[other] Мероприятий этого вида пока нет.
    } Загляните позже{ $registered ->
        [yes] { "" } или подпишитесь на анонсы в «Мои подписки» — бот сам сообщит о новом мероприятии.
       *[no] .
    }
event-mark = { $status ->
        [confirmed] ✅{" "}
        [attended] ✅{" "}
        [waitlisted] ⏳{" "}
       *[other] { "" }
    }
btn-event-item = { $date } · { $title }
event-head = <b>{ $title }</b>
    <i>{ $kind }</i>
event-when = 🗓 { $start } — { $end }
event-place = 📍 { $place }
event-link = 🔗 { $link }
event-organiser = 🏫 Организатор: { $name }
event-for = 👥 Для кого: { $audience }
event-audience = { $role ->
        [student] школьники
        [college_student] студенты колледжей
        [parent] родители
        [adult] взрослые, ищущие работу или переобучение
        [teacher] педагоги
       *[other] все
    }
event-audience-grades = { $low ->
        [1] школьники
       *[other] школьники { $low }–{ $high } классов
    }{ $high ->
        [11] { "" }
       *[other] { $low ->
            [1] { "" } до { $high } класса
           *[other] { "" }
        }
    }
event-profession = 🛠 Профессия: { $profession }
event-seats = { $left ->
        [0] 🪑 Мест нет: можно встать в лист ожидания.
       *[other] 🪑 Свободно мест: { $left } из { $total }
    }
event-seats-unlimited = 🪑 Число мест не ограничено
event-deadline = ⏰ Запись до: { $deadline }
event-my-status = { $status ->
        [confirmed] ✅ <b>Вы записаны.</b> Перед началом пришлём напоминание.
        [waitlisted] ⏳ <b>Вы в листе ожидания</b>, очередь: { $position }. Если место освободится, запишем вас сами и сообщим.
        [attended] ✅ Вы были на этом мероприятии.
        [no_show] Вы были записаны, но отмечены как не пришедший.
       *[other] { "" }
    }
event-refused = { $reason ->
        [cancelled] ❌ Мероприятие отменено.
        [started] Мероприятие уже началось или прошло — запись закрыта.
        [closed] Запись на это мероприятие закрыта: срок прошёл.
        [role] Это мероприятие не для вашей группы участников — записаться нельзя. Посмотрите другие в списке.
        [grade] Это мероприятие для других классов — записаться нельзя. Посмотрите другие в списке.
       *[other] Записаться нельзя.
    }
event-refused-toast = { event-refused }
btn-event-sign-up = ✍️ Записаться
btn-event-waitlist = ⏳ Встать в лист ожидания
btn-event-cancel = Отменить запись
btn-event-cancel-yes = Да, отменить запись
btn-event-calendar = 📆 Добавить в календарь
btn-event-open = Открыть мероприятие
event-cancel-confirm = <b>Отменить запись?</b> Ваше место получит следующий в листе ожидания.
event-cancel-done = Запись отменена.
event-cancel-toast = { $done ->
        [yes] Запись отменена
       *[no] Вы не были записаны на это мероприятие
    }
event-sign-up-toast = { $outcome ->
        [confirmed] Вы записаны!
        [waitlisted] Вы в листе ожидания
       *[already] Вы уже записаны
    }
event-signed-up = { $outcome ->
        [confirmed] ✅ <b>Готово, вы записаны.</b> Организатор увидит ваше имя из мессенджера и то, что вы указали в профиле.
       *[waitlisted] ⏳ <b>Мест нет — вы в листе ожидания.</b> Если место освободится, запишем вас сами и сообщим.
    }
event-link-unknown = Мероприятие по этой ссылке не найдено: возможно, ссылка с ошибкой или мероприятие удалено.
calendar-file-caption = { $count ->
        [one] Файл для календаря: откройте его, и мероприятие появится в календаре телефона.
       *[other] Файл для календаря: откройте его, и мероприятия появятся в календаре телефона.
    }
calendar-file-toast = Файл для календаря отправлен
plans =
    <b>Мои планы</b>

    Куда вы записаны: { $count }. ✅ — записаны, ⏳ — в листе ожидания, ☑️ — были, ✖️ — отменено.
plans-none = <b>Мои планы</b>

    Вы пока никуда не записаны. Профпробы, дни открытых дверей и экскурсии — в разделе «Мероприятия и пробы».
btn-plan-item = { $status ->
        [confirmed] ✅
        [waitlisted] ⏳
        [attended] ☑️
        [no_show] ➖
       *[other] ✖️
    } { $date } · { $title }
btn-plans-calendar = 📆 Всё в календарь

## --- What the bot sends about an event

event-reminder = { $hours ->
        [24] ⏰ <b>Напоминание: завтра мероприятие, на которое вы записаны.</b>
       *[other] ⏰ <b>Напоминание: мероприятие скоро начнётся.</b>
    }
event-changed = ✏️ <b>В мероприятии, на которое вы записаны, изменилось: { $fields }.</b> Вот как оно выглядит теперь:
event-field = { $field ->
        [title] название
        [place] место
        [link] ссылка
        [starts_at] начало
        [ends_at] окончание
        [description] описание
       *[other] { $field }
    }
event-cancelled-notice = ❌ <b>Мероприятие отменено:</b> { $title } ({ $start }). Извините за неудобство — посмотрите другие мероприятия.
event-promoted = 🎉 <b>Освободилось место — вы записаны!</b> Если планы изменились, отмените запись, чтобы место получил следующий.
feedback-liked = Вы побывали на профпробе «{ $title }». <b>Понравилось?</b>
feedback-helped = <b>Помогла ли проба с выбором профессии?</b>
feedback-thanks = Спасибо! Ответы учтены в городской статистике профориентации (без вашего имени).

## --- Coordinators

btn-manage = 🗂 Кабинет координатора
not-permitted = Это действие доступно только координаторам. Если вас назначали координатором, права могли отозвать — обратитесь к администратору.
not-permitted-toast = Нет прав на это действие
invite-accepted = 🎉 <b>Вы назначены координатором:</b> { $organisation }. Кабинет координатора — в главном меню.
invite-unknown = Эта ссылка-приглашение уже использована, отозвана или устарела. Попросите администратора прислать новую.
manage-list =
    <b>Кабинет координатора</b> { $organisation ->
        [all] (все организации)
       *[other] — { $organisation }
    }
    Мероприятий: { $count } — предстоящие, идущие и закончившиеся за последние две недели (в них можно отметить, кто пришёл).
btn-event-new = ➕ Новое мероприятие
btn-manage-item = { $status ->
        [cancelled] ❌
        [over] ✔️
        [draft] 📝
       *[other] 📅
    } { $date } · { $title }
manage-event-head = { $status ->
        [cancelled] ❌ <b>Отменено.</b>
        [draft] 📝 <b>Черновик.</b>
       *[other] 📅 <b>Опубликовано.</b>
    } Код для ссылки: <code>{ $code }</code>
manage-event-counts = Записаны: { $confirmed }, в листе ожидания: { $waitlisted }, пришли: { $attended }, не пришли: { $no_show }, отменили запись: { $cancelled }.
btn-manage-people = 👥 Кто записался
btn-manage-csv = 📄 Список (CSV)
btn-manage-xlsx = 📊 Список (Excel)
btn-manage-link = 🔗 Ссылка и QR-код
btn-manage-edit = ✏️ Изменить
btn-manage-all-came = ✅ Отметить: пришли все записанные
btn-manage-cancel = ❌ Отменить мероприятие
btn-manage-cancel-yes = Да, отменить и сообщить записавшимся
manage-cancel-confirm = <b>Отменить «{ $title }»?</b> Записавшиеся ({ $signed }) получат сообщение об отмене. Вернуть мероприятие будет нельзя.
manage-cancelled-toast = Мероприятие отменено, записавшимся сообщим
manage-people-head = <b>{ $title }</b> — записались: { $count }
manage-person = { $number }. { $name } — { $role ->
        [student] школьник
        [college_student] студент
        [parent] родитель
        [adult] взрослый
        [teacher] педагог
       *[other] —
    }, { $organisation }{ $grade ->
        [0] { "" }
       *[other] , { $grade } кл.
    } — { registration-status }
manage-people-more = …и ещё { $more } (полный список — в файле CSV или Excel).
manage-attendance-hint = Нажмите на человека, чтобы отметить, пришёл ли он (✅ — пришёл).
btn-attend = { $came ->
        [True] ✅
       *[False] ▫️
    } { $number }. { $name }
manage-marked-toast = { $came ->
        [True] Отмечено: пришёл(а) — { $name }
       *[False] Отмечено: не пришёл(а) — { $name }
    }
manage-all-came-toast = Отмечено присутствие: { $count }
registration-status = { $status ->
        [confirmed] записан(а)
        [waitlisted] в листе ожидания
        [attended] пришёл(а)
        [no_show] не пришёл(а)
       *[cancelled] отменил(а) запись
    }
attendee-column = { $column ->
        [number] №
        [name] Имя в Telegram
        [role] Кто
        [organisation] Организация
        [grade] Класс/курс
        [status] Статус
       *[signed-up] Записан(а)
    }
manage-file-caption = Список записавшихся: { $count }.
manage-file-toast = Файл отправлен
manage-link =
    Ссылка на «{ $title }» — для афиши и школьных чатов:
    { $link }
    QR-код можно распечатать: он открывает ту же ссылку.

## --- The event editor

editor-step = { $step ->
        [kind] <b>Новое мероприятие.</b> Какой это вид?
        [title] <b>Название</b> — так его увидят в списке. Напишите его сообщением.
        [description] <b>Описание</b>: что будет, что взять с собой. Напишите сообщением или пропустите.
        [organisation] <b>Кто организует?</b>
        [place] <b>Где пройдёт?</b> Напишите адрес (например: ул. Ленина, 5, каб. 12) или ссылку на онлайн-встречу.
        [start] <b>Когда начало?</b> Выберите день — или напишите дату и время, например: 25.12 15:00
        [start-time] <b>Во сколько начало?</b> Выберите или напишите, например: 15:30
        [end] <b>Сколько длится?</b> Выберите или напишите время окончания, например: 17:30
        [end-date] <b>В какой день окончание?</b>
        [end-time] <b>Во сколько окончание?</b> Выберите или напишите, например: 17:30
        [capacity] <b>Сколько мест?</b> Выберите или напишите число.
        [deadline] <b>До какого времени записываться?</b>
        [roles] <b>Для кого?</b> Отметьте одну или несколько групп и нажмите «Готово».
        [grades] <b>Для каких классов?</b> Выберите или напишите, например: 8-11
        [types] <b>Какие типы профессий затрагивает?</b> По ним мероприятие предложат после опросника. Отметьте и нажмите «Готово».
        [profession] <b>Какую профессию пробуют?</b> Напишите, например: Помощник машиниста
       *[other] Заполните поле.
    }
editor-use-buttons = Здесь нужно нажать кнопку.
editor-not-understood = { $step ->
        [start] Не понял дату. Напишите так: 25.12 15:00 — или выберите день.
        [start-time] Не понял время. Напишите так: 15:30
        [end] Не понял. Напишите время окончания (17:30) или дату и время (26.12 17:00).
        [end-time] Не понял время. Напишите так: 17:30
        [end-date] Не понял дату. Напишите так: 26.12
        [capacity] Напишите число мест цифрами, например 25, или выберите «Без ограничения».
        [grades] Напишите классы так: 8-11 или 9.
       *[other] Не понял. Попробуйте ещё раз.
    }
editor-date-past = Этот день уже прошёл
editor-roles-needed = Отметьте хотя бы одну группу
btn-editor-cancel = ✖️ Выйти без сохранения
btn-editor-skip = Пропустить
btn-editor-done = Готово →
btn-editor-other-day = Заканчивается в другой день
btn-duration = { $minutes ->
        [60] 1 час
        [90] 1,5 часа
        [120] 2 часа
        [180] 3 часа
        [240] 4 часа
       *[other] 8 часов
    }
btn-capacity-unlimited = Без ограничения
# Typed instead of pressing «Без ограничения» (comma-separated, any letter case).
editor-unlimited-words = нет, без ограничения, без ограничений
btn-deadline = { $days ->
        [0] До начала
        [1] За 1 день
        [3] За 3 дня
       *[other] За неделю
    }
btn-grades = { $grades ->
        [all] Любые
       *[other] { $grades }
    }
btn-toggle = { $on ->
        [True] ✅
       *[False] ▫️
    } { $label }
editor-preview = { $editing ->
        [True] <b>Проверьте изменения.</b> Записавшимся сообщим, что изменилось.
       *[False] <b>Проверьте, как мероприятие увидят участники.</b>
    }
editor-types = 🧭 Типы профессий: { $types }
editor-problems = <b>Что нужно исправить:</b>
editor-rejected = Не сохранено: { $count ->
        [one] есть { $count } ошибка
        [few] есть { $count } ошибки
       *[many] есть { $count } ошибок
    }.
btn-editor-publish = { $editing ->
        [True] 💾 Сохранить изменения
       *[False] ✅ Опубликовать
    }
btn-editor-change = ✏️ { $step ->
        [kind] Вид
        [title] Название
        [description] Описание
        [place] Место
        [start] Начало
        [end] Окончание
        [capacity] Места
        [deadline] Запись до
        [roles] Для кого
        [types] Типы
       *[profession] Профессия
    }
editor-quit = Изменения не сохранены.
editor-published = { $editing ->
        [True] ✅ <b>Изменения сохранены:</b> { $title }. Записавшимся сообщим, что изменилось.
       *[False] ✅ <b>Опубликовано:</b> { $title }.
    }

    Ссылка для афиши и чатов: { $link }
calendar-month = { $month }
calendar-weekdays = Пн Вт Ср Чт Пт Сб Вс
event-problem-kind = Неизвестный вид мероприятия: { $kind }.
event-problem-title-empty = Нужно название.
event-problem-too-long = Слишком длинное поле «{ event-field }»: не больше { $max } знаков.
event-problem-no-place = Нужно место (адрес) или ссылка на онлайн-встречу.
event-problem-link = Ссылка должна начинаться с https://
event-problem-start-past = Начало уже прошло — выберите время в будущем.
event-problem-end-before-start = Окончание должно быть позже начала.
event-problem-too-long-event = Мероприятие длиннее двух месяцев — проверьте даты.
event-problem-capacity = Число мест — от 1 до { $max }, или без ограничения.
event-problem-capacity-below-taken = Мест не может быть меньше, чем уже записано: { $taken }.
event-problem-deadline-after-start = Запись должна заканчиваться не позже начала.
event-problem-deadline-past = Срок записи уже прошёл.
event-problem-no-audience = Отметьте, для кого мероприятие.
event-problem-roles = Неизвестная группа участников.
event-problem-grade = Нет такого класса: { $grade }.
event-problem-grades-order = Классы «с» больше, чем «по» — поменяйте местами.
event-problem-interest-types = Неизвестный тип профессий.
event-problem-code = Код ссылки: латинские буквы, цифры, - и _, не длиннее { $max } знаков.
event-problem-code-taken = Код «{ $code }» уже занят другим мероприятием.

## --- Administrators

btn-admin = ⚙️ Администрирование
admin-head =
    <b>Администрирование</b>
    Координаторов: { $coordinators }, открытых приглашений: { $invites }.
admin-coordinator = • { $organisation }: пользователь { $user }
admin-invite = • Приглашение: { $organisation }, действует до { $expires }
btn-admin-invite = ➕ Пригласить координатора
btn-admin-revoke = Снять права: { $user }
btn-admin-revoke-invite = Отозвать приглашение: { $organisation }
btn-admin-revoke-yes = Да, снять права
admin-invite-for = <b>Координатор какой организации?</b> Координатор комитета по образованию ведёт мероприятия всех организаций.
admin-invite-made =
    <b>Приглашение: { $organisation }</b>

    Отправьте эту ссылку будущему координатору. Она срабатывает один раз и действует до { $expires }:
    { $link }
admin-revoke-confirm = Снять права координатора с пользователя { $user }? Его профиль останется.
admin-revoked-toast = { $done ->
        [True] Права сняты
       *[False] Этот пользователь уже не координатор
    }
admin-invite-revoked-toast = { $done ->
        [True] Приглашение отозвано
       *[False] Приглашение уже использовано или отозвано
    }
event-problem-csv-kind = Неизвестный вид мероприятия «{ $value }» (проба, день открытых дверей, экскурсия, встреча, конкурс, месячник, игра, центр занятости, семинар).
event-problem-csv-organisation = Неизвестная организация «{ $value }»: нужен код из каталога (например, zhdt, czn, school-1), и это должна быть организация, мероприятия которой вы ведёте.
event-problem-csv-date = { $field ->
        [starts] Начало
        [ends] Окончание
       *[other] Срок записи
    }: «{ $value }» — нужна дата и время, например 25.12.2026 15:00.
event-problem-csv-number = { $field ->
        [capacity] Число мест
       *[other] Классы
    }: «{ $value }» — нужно число (классы: 8-11 или 9).
event-problem-csv-role = Для кого: «{ $value }» — школьники, студенты, родители, взрослые, педагоги.
event-problem-csv-type = Типы профессий: «{ $value }» — природа, техника, человек, знаковая система, художественный образ.
event-problem-csv-column = Неизвестный столбец «{ $column }».
event-problem-csv-header = В первой строке нужны названия столбцов; не хватает: { $columns }.
event-problem-csv-encoding = Файл не читается как текст: сохраните его из Excel как «CSV (разделители — точка с запятой)» или «CSV UTF-8».
event-problem-csv-too-big = Файл слишком большой: не больше { $rows } строк за раз.
event-problem-csv-duplicate-code = Код «{ $code }» уже был в строке { $line }.
import-report =
    <b>Загрузка мероприятий</b>
    Добавлено: { $created }. Уже были (не менялись): { $known }. Строк с ошибками: { $failed }.
import-error = Строка { $line }: { $problems }
import-more-errors = …и ещё строк с ошибками: { $more }.
import-not-csv = Пришлите план мероприятий файлом CSV (в Excel: «Сохранить как» → «CSV»). Столбцы описаны в инструкции координатора.
event-problem-csv-format = Файл не разбирается как таблица CSV (незакрытые кавычки или слишком длинное поле). Сохраните его из Excel заново.
