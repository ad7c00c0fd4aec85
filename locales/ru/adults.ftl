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

    Центр занятости Зимы помогает найти работу и бесплатно переобучиться: на курсы направляют безработных, тех, кому грозит увольнение, людей старше 50 лет и предпенсионного возраста, родителей в отпуске по уходу за ребёнком. Сейчас в списке { $programmes } программ.

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
       *[other] Выберите программу. Ниже — кому она подходит: нажмите, чтобы оставить только подходящие вам.
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
