## Профнавигатор — the profession bank («Банк профессий») and its search.
## Coordinators may reword anything here; keep the {$placeholders} and the key names.

btn-bank = 🗂 Банк профессий
btn-bank-search = 🔍 Найти профессию по названию
btn-bank-search-again = 🔍 Искать другую профессию
btn-bank-type = { $title } ({ $count })
btn-profession = { $title }{ $demanded ->
        [yes] {" "}🔥
       *[no] { "" }
    }
btn-event-professions = 🗂 О профессии в банке профессий
btn-result-bank = 🗂 Банк профессий: { $title }

bank =
    🗂 <b>Банк профессий</b>

    { $count } { $count ->
        [one] профессия
        [few] профессии
       *[many] профессий
    }: что это за работа, каким типам интересов она подходит, где ей учатся в Зиме и области. 🔥 — профессия востребована в городе и районе.

    Выберите тип профессий или найдите профессию по названию.
bank-type =
    🗂 <b>{ $title }</b>

    { $count } { $count ->
        [one] профессия
        [few] профессии
       *[many] профессий
    }{ $pages ->
        [1] { "" }
       *[other] , страница { $page } из { $pages }
    }. 🔥 — востребована.
profession-card =
    <b>{ $title }</b>{ $sample ->
        [yes] {" "}<i>(пример)</i>
       *[no] { "" }
    }
    Тип: { $types }
    { $demanded ->
        [yes] 🔥 Востребована в Зиме и районе.
       *[no] { "" }
    }
    { $about }

    <b>Где учиться</b>
    { $study }
profession-study-none = Учебных заведений в Зиме и области для неё в нашем списке пока нет — спросите в центре занятости.
profession-sample-note = <i>Сведения о профессии пока примерные (пометка «пример»): центр занятости и комитет по образованию уточняют их.</i>
bank-search-prompt =
    🔍 <b>Поиск профессии</b>

    { $guest ->
        [yes] Напишите /find и название профессии или его часть, например «/find сварщ» или «/find медсестра».
       *[no] Напишите название профессии или его часть, например «сварщ» или «медсестра».
    } Можно с ошибкой в одной букве. Не меньше { $min } букв.
bank-search-short = Слишком коротко — напишите хотя бы две буквы.
bank-search-found =
    🔍 По запросу «{ $query }» { $fuzzy ->
        [yes] с учётом опечатки
       *[no] { "" }
    } { $count ->
        [one] нашлась { $count } профессия
        [few] нашлись { $count } профессии
       *[many] нашлось { $count } профессий
    }{ $more ->
        [yes] ; показаны первые { $shown }. Уточните запрос, чтобы увидеть остальные.
       *[no] .
    }
bank-search-closest =
    🔍 По запросу «{ $query }» ничего не нашлось.

    Возможно, вы искали «{ $closest }»?
bank-search-none = 🔍 По запросу «{ $query }» ничего не нашлось. Попробуйте другое слово.
