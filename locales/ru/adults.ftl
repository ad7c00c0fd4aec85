## Профнавигатор — adults looking for work or retraining: retraining programmes, trades in
## demand, the employment centre, consultations.
## Coordinators may reword anything here; keep the {$placeholders} and the key names.

btn-adults = 🎓 Переобучение и работа
btn-retraining = 📚 Программы переобучения
btn-trades = 🔥 Востребованные профессии
btn-employment-centre = 🏢 Центр занятости
btn-work-portal = 🌐 Портал «Работа России»
btn-retraining-item = { $title } · { $format ->
        [online] онлайн
        [mixed] очно и онлайн
       *[in_person] очно
    }
btn-retraining-group = { $on ->
        [yes] ✅{" "}
       *[no] { "" }
    }Кому: { retraining-group }
btn-retraining-profession = 🗂 Профессия: { $title }
btn-trade-profession = 🗂 { $title }
btn-retraining-for = 📚 Переобучиться: { $title }
btn-result-retraining = 🎓 Переобучение и работа

adults =
    🎓 <b>Переобучение и работа</b>

    Центр занятости Зимы помогает найти работу и бесплатно переобучиться: на курсы направляют безработных, тех, кому грозит увольнение, людей старше 50 лет и предпенсионного возраста, родителей в отпуске по уходу за ребёнком. Сейчас в списке { $programmes } { $programmes ->
        [one] программа
        [few] программы
       *[many] программ
    }.

    Заявку на обучение можно подать на портале «Работа России» или прийти в центр занятости; можно и записаться здесь на консультацию.
retraining-group = { $group ->
        [unemployed] безработным
        [dismissal_risk] под риском увольнения
        [age_50_plus] старше 50 лет
        [pre_pension] предпенсионного возраста
        [childcare_leave] в отпуске по уходу за ребёнком
        [parents_of_preschoolers] родителям дошкольников
        [disabled] людям с инвалидностью
        [anyone] всем желающим
       *[all] всем
    }
retraining-list =
    📚 <b>Программы переобучения</b>{ $group ->
        [all] { "" }
       *[other] {" "}— { retraining-group }
    }

    { $count ->
        [0] Таких программ в списке пока нет — спросите в центре занятости, там знают весь набор.
       *[other] Выберите программу. Кнопки «Кому: …» ниже оставляют в списке только программы для вашей группы; нажмите ещё раз, чтобы снова показать все.
    }
retraining-card =
    📚 <b>{ $title }</b>{ $sample ->
        [yes] {" "}<i>(пример)</i>
       *[no] { "" }
    }
    Где: { $provider }
    Сколько: { $duration }
    Как: { $format ->
        [online] онлайн
        [mixed] очно и онлайн
       *[in_person] очно
    }
    Кому: { $groups }

    { $about }

    <b>Как подать заявку</b>
    { $apply }
retraining-apply = Подайте заявление на портале «Работа России» (раздел «Обучение»; вход через Госуслуги) или приходите в центр занятости Зимы с паспортом и СНИЛС. Обучение бесплатное для тех, кого направил центр занятости.
trades =
    🔥 <b>Востребованные профессии Зимы и района</b>

    Кого чаще всего ищут работодатели и где этому учатся рядом.
trade =
    <b>{ $title }</b>{ $sample ->
        [yes] {" "}<i>(пример)</i>
       *[no] { "" }
    }
    { $about }
    { $where ->
        [none] Где учиться — спросите в центре занятости.
       *[other] Где учиться: { $where }.
    }
retraining-sample-note = <i>Сведения пока примерные (пометка «пример»): центр занятости уточняет их.</i>
employment-centre =
    🏢 <b>{ $name }</b>
    { $about ->
        [none] { "" }
       *[other] { $about }
    }

    Чем поможет центр занятости:
    • поставит на учёт как ищущего работу или безработного и подберёт вакансии;
    • направит на бесплатное переобучение или повышение квалификации;
    • проконсультирует о выборе профессии (профориентация), в том числе подростков;
    • поможет с временной работой для школьников на каникулах.

    Вакансии и заявления — на портале «Работа России». Можно записаться на консультацию прямо здесь.
result-retraining-none = Подходящих программ переобучения в списке пока нет — спросите в центре занятости.
result-retraining-line = 📚 { $title } — { $duration }{ $sample ->
        [yes] {" "}<i>(пример)</i>
       *[no] { "" }
    }
result-type-adult =
    <b>{ $title }.</b> { $description }
    <i>Профессии:</i> { $professions }.
    <i>Переобучение:</i>
    { $study }

## --- Consultations: the person's request

btn-consult = 📝 Записаться на консультацию
btn-consult-cancel = ✖️ Отменить заявку
btn-consult-by-bot = 💬 Через Telegram
btn-consult-by-phone = 📞 Оставить телефон
btn-share-contact = 📱 Поделиться моим номером
btn-consult-send = ✅ Отправить заявку
consult-where =
    📝 <b>Запись на консультацию</b>

    Куда вы хотите обратиться? Консультант поможет с выбором профессии, переобучением и поиском работы.
consult-topic =
    📝 <b>Консультация: { $organisation }</b>

    Напишите одним сообщением, о чём хотите поговорить: например, «хочу переучиться на сварщика» или «какие есть вакансии для водителя». Не больше { $max } знаков.
consult-topic-empty = Тема не может быть пустой — напишите пару слов текстом.
consult-topic-long = Слишком длинно — уложитесь, пожалуйста, в { $max } знаков.
consult-time = { $time ->
        [morning] 🌅 Утром, 9:00–12:00
        [day] ☀️ Днём, 12:00–15:00
        [evening] 🌇 После обеда, 15:00–18:00
       *[any] 🕐 В любое время
    }
consult-when = Когда вам удобнее?
consult-when-typed = Время выбирается кнопкой — нажмите, пожалуйста, одну из кнопок ниже.
consult-how =
    Как с вами связаться?

    Через Telegram — консультант напишет вам здесь. Телефон — только если вы сами захотите его оставить.
consult-how-typed = Чтобы консультант вам позвонил, напишите номер телефона, например +7 914 123-45-67, — или выберите способ связи кнопкой ниже.
consult-how-not-yours = Это контакт другого человека. Чтобы консультант вам позвонил, напишите свой номер, например +7 914 123-45-67, — или выберите способ связи кнопкой ниже.
consult-phone =
    Нажмите кнопку «Поделиться моим номером» внизу экрана или напишите номер, например +7 914 123-45-67.
consult-phone-not-yours = Это контакт другого человека. Поделитесь, пожалуйста, своим номером — кнопкой внизу экрана — или напишите его.
consult-phone-bad = Не похоже на номер телефона. Напишите, например, +7 914 123-45-67 или 8 914 123 45 67.
consult-phone-saved = Номер получили.
consult-summary =
    📝 <b>Проверьте заявку</b>

    Куда: { $organisation }
    Тема: { $topic }
    Когда удобно: { consult-time }
    Связь: { $phone ->
        [none] через Telegram
       *[other] по телефону { $phone }
    }
consult-summary-typed = Заявка ещё не отправлена. Если всё верно, нажмите «Отправить заявку» ниже; передумали — «Отменить заявку».
consult-sent =
    ✅ Заявка отправлена в «{ $organisation }». Когда консультант возьмёт её, бот сообщит вам здесь.
consult-already-sent = Эта заявка уже отправлена — второй раз её не пошлём.
consult-cancelled = Заявку отменили, ничего не сохранено.
consult-changed = { $status ->
        [taken] 📝 Вашу заявку на консультацию в «{ $organisation }» взял консультант — скоро он свяжется с вами.
        [held] ✅ Консультация в «{ $organisation }» отмечена как состоявшаяся. Спасибо, что обратились!
       *[not_held] Консультация в «{ $organisation }» не состоялась. Если она ещё нужна, запишитесь снова: /retraining.
    }
    Тема: { $topic }
mydata-consultations = <b>Заявки на консультации</b> ({ $count }):
mydata-consultation = • { $date }, { $organisation }: «{ $topic }» — { $state }{ $phone ->
        [none] { "" }
       *[other] , телефон { $phone }
    }
consult-status = { $status ->
        [new] новая
        [taken] в работе
        [held] состоялась
       *[not_held] не состоялась
    }

## --- Consultations: the coordinator's side

btn-consultations = 📝 Заявки на консультации{ $count ->
        [0] { "" }
       *[other] {" "}({ $count } { $count ->
            [one] новая
            [few] новые
           *[many] новых
        })
    }
btn-consultation-item = { $status ->
        [new] 🆕
       *[taken] 🔧
    } { $date } · { $topic }
btn-consult-take = 🙋 Взять заявку
btn-consult-held = ✅ Состоялась
btn-consult-not-held = ❌ Не состоялась
consult-queue =
    📝 <b>Заявки на консультации</b>

    Новых: { $new }, в работе: { $taken }. { $new ->
        [0] { "" }
       *[other] Возьмите заявку — человек узнает, что ей занимаются.
    }
consult-card =
    📝 <b>Заявка № { $id }</b> — { consult-status }
    Куда: { $organisation }
    Получена: { $date }
    Тема: { $topic }
    Когда удобно: { consult-time }
    Связь: { $phone ->
        [none] <a href="tg://user?id={ $user }">написать в Telegram</a>
       *[other] телефон { $phone }
    }
consult-taken-by-other = Эту заявку уже взял другой координатор.
consult-not-taken = Эта заявка уже закрыта или ещё не взята.

## --- Content files (the committee's coordinators)

btn-content-files = 🗂 Файлы содержания (каталог, профессии, переобучение)
btn-content-upload = ⬆️ Заменить
btn-content-versions = ↩️ Версии
btn-content-version = { $current ->
        [yes] ✅{" "}
       *[no] { "" }
    }№ { $version } от { $date } ({ $entries } { $entries ->
        [one] запись
        [few] записи
       *[many] записей
    })
btn-content-shipped = { $current ->
        [yes] ✅{" "}
       *[no] { "" }
    }Исходный файл (из поставки)
content-kind = ⬇️ { $kind ->
        [catalogue] Каталог: организации и программы
        [professions] Банк профессий
       *[retraining] Переобучение и востребованные профессии
    }
content-files =
    🗂 <b>Файлы содержания</b>

    Нажмите на файл, чтобы скачать его; исправьте в любом текстовом редакторе и пришлите обратно кнопкой «Заменить» (или просто отправьте файл с тем же именем). Бот проверит его целиком: если всё верно, новая версия заработает сразу; если нет — ничего не изменится, а бот перечислит все ошибки с номерами строк. Прежние версии сохраняются, любую можно вернуть.

    Записи с пометкой <code>sample = true</code> бот показывает как «пример», пока вы не замените её на <code>sample = false</code>.

    Сейчас действуют версии: каталог — { $catalogue ->
        [0] исходная
       *[other] № { $catalogue }
    }, профессии — { $professions ->
        [0] исходная
       *[other] № { $professions }
    }, переобучение — { $retraining ->
        [0] исходная
       *[other] № { $retraining }
    }.
content-download = Текущий файл «{ $kind }». Исправьте его и пришлите обратно.
content-upload =
    ⬆️ Пришлите файл <b>{ $file }</b> (документом, в кодировке UTF-8).
content-too-big = Файл больше { $mb } МБ — такой не примем.
content-accepted =
    ✅ Новая версия № { $version } файла «{ $kind }» принята и уже действует: { $entries } { $entries ->
        [one] запись
        [few] записи
       *[many] записей
    }.{ $samples ->
        [0] { "" }
       *[other] {" "}С пометкой «пример» осталось: { $samples }.
    }
content-rejected =
    ❌ Файл «{ $kind }» не принят, действует прежняя версия. { $count ->
        [one] Найдена { $count } ошибка:
        [few] Найдены { $count } ошибки:
       *[many] Найдено { $count } ошибок:
    }
content-problem = • { $line ->
        [none] { "" }
       *[other] строка { $line }:{" "}
    }{ $message }
content-problems-more = …и ещё { $count }.
content-versions =
    ↩️ <b>Версии файла «{ $kind }»</b>

    ✅ — действующая. Нажмите на версию, чтобы вернуть её (она станет новой действующей версией).
