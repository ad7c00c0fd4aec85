## Профнавигатор — /mydata's file: everything stored about the user, section by section.
## Coordinators may reword anything here; keep the {$placeholders} and the key names.

mydata-file-caption = 📄 Всё, что бот хранит о вас, — в этом файле.
mydata-file-head =
    Профнавигатор — данные, которые хранятся о вас
    Выгрузка на { $date } (время иркутское)
mydata-section-empty = нет
mydata-bool = { $value ->
        [yes] да
       *[no] нет
    }
mydata-section = { $section ->
        [profile] Профиль
        [coordinator] Роль координатора
        [attempts] Опросники: ответы и результаты
        [registrations] Записи на мероприятия
        [subscription] Подписка на анонсы
        [steps] Шаги профориентации (для обезличенной статистики)
        [messages] Сообщения, которые бот вам отправил или отправит
        [family] Связь родителя и ребёнка
        [consultations] Заявки на консультацию
        [rejected] Сообщения, которые бот не смог прочитать (хранятся недолго, чтобы найти ошибку)
       *[other] { $section }
    }
mydata-field = { $field ->
        [telegram_id] ID в Telegram
        [role] Кто вы
        [organisation_id] Организация (номер в справочнике)
        [organisation] Организация
        [grade] Класс или курс
        [grade_year] Учебный год, когда указан класс
        [consent_version] Версия согласия
        [consent_at] Когда дано согласие
        [blocked_at] Когда бот был заблокирован
        [created_at] Создано
        [updated_at] Изменено
        [appointed_at] Назначен координатором
        [quiz_id] Опросник
        [quiz_version] Версия опросника
        [started_at] Начат
        [finished_at] Закончен
        [answers] Ответы
        [scores] Баллы по шкалам
        [event] Мероприятие
        [starts_at] Начало
        [status] Статус
        [display_name] Имя из профиля Telegram
        [active] Подписка включена
        [kinds] Виды мероприятий (битовая маска)
        [audiences] Для кого (битовая маска)
        [grades] Классы (битовая маска)
        [kind] Вид
        [detail] Подробности
        [sent_at] Отправлено
        [outcome] Итог
        [parent_id] ID родителя в Telegram
        [child_id] ID ребёнка в Telegram
        [reminders] Напоминания о мероприятиях ребёнка родителю
        [linked_at] Связь установлена
        [consent_by_parent] Согласие дал родитель
        [topic] Тема
        [preferred] Удобное время
        [phone] Телефон (если вы его оставили)
        [closed_at] Закрыта
        [channel] Мессенджер
        [rejected_at] Получено
        [update_id] Номер обновления
        [problems] Что в нём не так
        [raw] Как оно пришло
       *[other] { $field }
    }

## --- /forget by a coordinator

forget-coordinator =
    <b>Сначала — роль координатора</b>

    Вы координатор: { $organisation }. Прежде чем удалить ваши данные, передайте роль коллеге-координатору этой организации или просто сложите её.

    Ваши мероприятия ({ $events }) останутся за организацией: их можно будет вести дальше.{ $colleagues ->
        [0] {"\u000A"}{"\u000A"}Других координаторов у организации пока нет: администратор может назначить нового.
       *[other] { "" }
    }
btn-hand-over = Передать координатору ID { $id } (с { $date })
btn-drop-role = Сложить роль
role-handed-over = Роль передана, мероприятия — у коллеги.
role-dropped = Роль координатора сложена, мероприятия остались за организацией.
colleague-gone = Этот координатор уже не ведёт мероприятия организации. Выберите другого или сложите роль.
mydata-status = { $status ->
        [confirmed] записан(а)
        [waitlisted] в листе ожидания
        [cancelled] запись отменена
        [attended] был(а)
        [no_show] не пришёл(ла)
       *[other] { $status }
    }
