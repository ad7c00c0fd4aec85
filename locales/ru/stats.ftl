## The municipal monitoring (/stats): the indicators against the programme's targets, the chart,
## the committee's XLSX report, the roster and the term's figures; the self-assessment and the
## destination survey. Coordinators may reword anything here; keep the {$placeholders} and keys.

btn-stats = 📊 Мониторинг
btn-stats-chart = 📈 График
btn-stats-xlsx = 📄 Отчёт XLSX
btn-stats-years = 📅 Другой учебный год
btn-stats-year = { $year }{ $current ->
        [yes] {" "}(текущий)
       *[no] {""}
    }
btn-stats-roster = 👥 Контингент (число учащихся)
btn-stats-term = 🏛 Показатели за четверть
btn-stats-back = ← К показателям

stats-head =
    📊 <b>Мониторинг профориентации — { $year } учебный год</b>
    { $scope ->
        [all] Все школы города.
        [town] Итоги по городу.
       *[other] { $scope } и итоги по городу.
    }
stats-empty = За { $year } учебный год данных пока нет: ни шагов учеников, ни контингента, ни ответов на опросы. Выберите другой год или загляните позже.
stats-coverage-head = { $roster ->
        [yes] <b>1. Охват</b> (8–11 классы, хотя бы один шаг за год; цель { $target }):
       *[no] <b>1. Охват</b> (8–11 классы; цель { $target }):
    }
stats-coverage =
    { $where }: <b>{ $share }</b> — { $part } из { $whole } по списку { $met ->
        [yes] ✅
       *[no] ⚠️
    }
stats-coverage-no-roster =
    { $where }: участвовали <b>{ $part }</b>. Чтобы посчитать долю, нужен контингент — число учащихся по классам (кнопка «Контингент» у комитета).
stats-coverage-unrostered = Участников в классах, для которых нет контингента: { $part }; в долю они не вошли.
stats-coverage-over = ⚠️ В { $cells } { $cells ->
        [one] классе
       *[other] классах
    } участников больше, чем учащихся по списку: доля там ограничена 100 %. Проверьте контингент.
stats-coverage-schools = Школ, где охват не ниже цели: { $met } из { $total }.
stats-where = { $where ->
        [town] Город
       *[other] { $where }
    }
stats-conscious =
    <b>2. Осознанный выбор</b> (9 и 11 классы, самооценка; цель от { $start } до { $goal }):
    { $windows }
stats-conscious-window = { $window ->
        [1] осень
        [2] весна
       *[other] окно { $window }
    }: <b>{ $share }</b> (ответили { $whole })
stats-conscious-none =
    <b>2. Осознанный выбор</b> (цель от { $start } до { $goal }): ответов на самооценку пока нет.
stats-local =
    <b>3. Продолжают обучение в колледжах области по востребованным профессиям</b> (цель от { $start } до { $goal }):
    <b>{ $share }</b> (ответили на опрос о планах: { $whole })
stats-local-none =
    <b>3. Продолжение обучения в области</b> (цель от { $start } до { $goal }): ответов на опрос о планах пока нет (он приходит выпускникам 9 и 11 классов с июня по сентябрь).
stats-participation =
    <b>4. Участие</b>: шагов за год — { $total }: опросники — { $quiz }, мероприятия — { $events }, пробы — { $trials }.
    Отзывы о пробах: { $answered }, понравилось — { $liked }, помогла выбрать — { $helped } (отчасти — { $partly }).
stats-admin =
    <b>5. Административные показатели</b> ({ $term }-я четверть):
    соглашений с партнёрами — { $agreements }; педагогов прошли курсы по профориентации — { $teachers };
    школ со страницей о профориентации на сайте — { $pages } из { $schools } (<b>{ $share }</b>, цель { $goal }).
stats-admin-none = <b>5. Административные показатели</b>: за этот год комитет их ещё не внёс.
stats-footer = Только количества, без персональных данных; меньше трёх человек — «&lt;3». График и отчёт — кнопками ниже.
stats-hidden = &lt;3
stats-years = Выберите учебный год:
stats-no-year = Такого учебного года в мониторинге нет. Вот текущий.
stats-chart-caption = 📈 Мониторинг, { $year }: охват по школам и классам (линия — цель 80 %) и шаги по месяцам.
stats-xlsx-caption = 📄 Отчёт мониторинга за { $year } учебный год (сформирован { $date }).
stats-file-toast = Файл отправлен ниже

## The roster and the term's figures (the committee only)

stats-roster-ask =
    👥 <b>Контингент на { $year } учебный год</b>
    Пришлите файл CSV или XLSX (первая строка — заголовки: <code>школа;класс;учащихся</code>) или напишите строки прямо сюда, по одной на класс:
    <code>Школа № 1; 9; 54</code>
    Школу можно указать кодом из каталога (school-1), коротким или полным названием; класс — от 1 до 11; число учащихся — целое, не меньше 0. Новые значения заменяют прежние.
stats-roster-saved = ✅ Контингент сохранён: { $saved } { $saved ->
        [one] строка
        [few] строки
       *[many] строк
    }. { $failed ->
        [0] {""}
       *[other] Не принято строк: { $failed } — исправьте их и пришлите ещё раз:
    }
stats-roster-error = Строка { $line }: { $problems }
stats-roster-more = …и ещё { $more }.
stats-roster-nothing = Ни одной строки не принято:
roster-problem-format = Не удалось прочитать файл: нужен CSV (UTF-8 или Windows-1251) или XLSX.
roster-problem-too-big = Слишком большой файл: не больше { $rows } строк.
roster-problem-header = Нет нужных столбцов в первой строке: { $columns }.
roster-problem-school = { $filled ->
        [True] Неизвестная школа «{ $value }»
       *[False] Не заполнена школа
    } — нужен код из каталога (school-1), короткое или полное название.
roster-problem-grade = Класс { $filled ->
        [True] «{ $value }»
       *[False] не заполнен
    } — нужен от 1 до 11.
roster-problem-students = Число учащихся { $filled ->
        [True] «{ $value }»
       *[False] не заполнено
    } — нужно целое число, не меньше 0.
roster-problem-repeated = Эта школа и класс уже были в строке { $line }.
stats-roster-file-only = Пришлите файл CSV или XLSX либо строки текстом.
stats-term-ask =
    🏛 <b>Административные показатели, { $year } учебный год</b>
    Напишите одной строкой четыре числа через точку с запятой: четверть (1–4); соглашений с партнёрами; педагогов, прошедших курсы по профориентации; школ со страницей о профориентации на сайте.
    Например: <code>2; 14; 35; 6</code>
stats-term-bad = Не получилось разобрать. Нужно четыре целых числа через «;»: четверть (1–4), соглашения, педагоги, школы со страницей (не больше { $schools }).
stats-term-saved = ✅ Показатели за { $term }-ю четверть сохранены.

## The chart and the XLSX report

stats-chart-grade = { $grade } класс
stats-chart-target = цель 80 %
stats-chart-share = Охват, %
stats-chart-count = Участвовали, чел.
stats-chart-coverage = Охват по школам и классам, { $year }
stats-chart-months = Шаги по месяцам
stats-chart-dots = Каждая точка — школа ({ $schools }); подробности по школам — в отчёте XLSX
stats-chart-steps = Шагов
stats-step-kind = { $kind ->
        [quiz_finished] Опросники
        [event_attended] Мероприятия
        [trial_completed] Пробы
        [trial_feedback] Отзывы о пробах
       *[other] Другое
    }
stats-event-kind = { event-kind }
stats-sheet = { $sheet ->
        [coverage] Охват
        [conscious] Осознанный выбор
        [local] Продолжение обучения
        [participation] Участие
       *[admin] Административные
    }
stats-sheet-title = { stats-sheet }, { $year } учебный год
stats-sheet-made = Сформирован: { $date }. Только количества; меньше трёх человек — «<3».
stats-column = { $column ->
        [school] Школа
        [grade] Класс
        [participants] Участвовали (≥1 шага)
        [students] Учащихся по списку
        [share] Доля
        [target] Цель
        [note] Примечание
        [window] Окно
        [answered] Ответили
        [conscious] Осознанный выбор
        [local] В колледжах области по востребованным
        [month] Месяц
        [all] Всего
        [event-kind] Вид мероприятия
        [attended] Посещений
        [feedback] Отзывы о пробах
        [liked] Понравилось
        [helped] Помогла выбрать
        [partly] Отчасти
        [indicator] Показатель
        [value] Значение
        [of] Из
        [term] Четверть
        [agreements] Соглашений с партнёрами
        [teachers] Педагогов прошли курсы
        [pages] Школ со страницей о профориентации
       *[other] { $column }
    }
stats-total = Итого
stats-other-school = Другая школа
stats-over-roster = участников больше, чем по списку: доля ограничена 100 %
stats-no-roster-cell = нет контингента — доля не считается
stats-term-missing = Комитет ещё не внёс показатели за этот год.
stats-destination = { $answer ->
        [college] Колледж или техникум
        [school] 10 класс школы
        [work] Работа
       *[other] Другое
    }

## The destination survey (June to September, grade 9 and 11 leavers)

destination-ask =
    🎓 <b>Куда вы идёте учиться или работать?</b>
    Короткий вопрос о ваших планах после 9 или 11 класса — он нужен городу, чтобы понимать, помогает ли профориентация. Ответ анонимен в отчётах: считаются только количества.
btn-destination = { stats-destination }
destination-college = Выберите колледж или техникум:
destination-programme = { $college }: выберите специальность или профессию.
btn-destination-back = ← Назад
btn-destination-no-programme = Специальности нет в списке
destination-thanks = Спасибо! Ответ записан: { $answer }. Если планы поменяются, ответьте ещё раз — учтётся последний ответ.
destination-closed = Опрос о планах сейчас закрыт — он проходит с июня по сентябрь. Спасибо!
destination-not-for-you = Этот опрос — для выпускников 9 и 11 классов.
