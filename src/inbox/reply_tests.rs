//! Replies as people write them, in the clients they use.

use super::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn context(count: usize) -> Context {
    Context { count, sent: date(2027, 3, 14), period: Period { from: date(2026, 9, 1), to: date(2027, 8, 31) } }
}

fn statement(items: &[usize], decision: Decision, comment: Option<&str>) -> Statement {
    Statement { items: items.to_vec(), decision, comment: comment.map(String::from) }
}

fn done(on: Option<NaiveDate>) -> Decision {
    Decision::Done { on }
}

fn read3(text: &str) -> Result<Vec<Statement>, Unclear> {
    read(text, &context(3))
}

#[test]
fn gmail_numbers_and_decisions() {
    let text = "1, 3 — исполнено\n2 выполнено частично: отчёт на согласовании\n\n\
                On Sun, Mar 14, 2027 at 10:00 AM karta <karta@region.ru>\nwrote:\n\n\
                > Напоминание\n> 1. Отчёт ИМЦ — исполнено?\n> 2. Семинар\n";
    assert_eq!(
        read3(text),
        Ok(vec![
            statement(&[1, 3], done(None), None),
            statement(
                &[2],
                Decision::Partly { percent: None, comment: Some("отчёт на согласовании".into()) },
                Some("отчёт на согласовании")
            ),
        ])
    );
}

#[test]
fn outlook_one_occurrence_with_a_date_and_a_signature() {
    let text = "Добрый день!\r\n\r\nИсполнено 12.03, отчёт направлен в министерство.\r\n\r\nС уважением,\r\n\
                Иванова Ирина Ивановна\r\nметодист ИМЦ\r\n\r\nОт: karta <karta@region.ru>\r\n\
                Отправлено: 14 марта 2027 г. 10:00\r\nКому: Иванова\r\nТема: Сегодня срок\r\n\r\nНе исполнено";
    assert_eq!(
        read(text, &context(1)),
        Ok(vec![statement(&[], done(Some(date(2027, 3, 12))), Some("отчёт направлен в министерство."))])
    );
}

#[test]
fn yandex_mobile_with_a_range() {
    let text = "1-3 исполнено\n\n-- \nОтправлено из Яндекс Почты для мобильных\n\n\
                14.03.2027, 10:00, \"karta\" <karta@region.ru>:\nНапоминание\n1. …\n";
    assert_eq!(read3(text), Ok(vec![statement(&[1, 2, 3], done(None), None)]));
}

#[test]
fn mail_ru_several_statements_on_one_line() {
    let text = "1 — исполнено; 2 — не исполнено, так как помещение на ремонте; \
                3 — прошу перенести до 15 марта 2027 г. в связи с болезнью исполнителя\n\n\
                Отправлено из мобильной Почты Mail.ru\n\n\n\
                Воскресенье, 14 марта 2027, 10:00 +10:00 от karta <karta@region.ru>:\n\nНапоминание";
    assert_eq!(
        read3(text),
        Ok(vec![
            statement(&[1], done(None), None),
            statement(
                &[2],
                Decision::NotDone { reason: Some("помещение на ремонте".into()) },
                Some("помещение на ремонте")
            ),
            statement(
                &[3],
                Decision::Move {
                    to: date(2027, 3, 15), reason: Some("в связи с болезнью исполнителя".into())
                },
                Some("в связи с болезнью исполнителя")
            ),
        ])
    );
}

#[test]
fn thunderbird_not_done_with_its_reason() {
    let text = "Не выполнено, так как нет финансирования.\n\n14.03.2027 10:00, karta пишет:\n> Сегодня срок";
    let reason = "нет финансирования.";
    assert_eq!(
        read(text, &context(1)),
        Ok(vec![statement(&[], Decision::NotDone { reason: Some(reason.into()) }, Some(reason))])
    );
}

#[test]
fn iphone_short_yes() {
    let text = "Да\n\nОтправлено с iPhone\n\n> 14 марта 2027 г., в 10:00, karta <karta@region.ru> написал(а):\n>\n> Сегодня срок";
    assert_eq!(read(text, &context(1)), Ok(vec![statement(&[], done(None), None)]));
    assert_eq!(read("+", &context(1)), Ok(vec![statement(&[], done(None), None)]));
    assert_eq!(read("1, 2 +", &context(2)), Ok(vec![statement(&[1, 2], done(None), None)]));
}

#[test]
fn words_are_matched_whatever_their_case() {
    for (text, decision) in [
        ("ИСПОЛНЕНО", done(None)),
        ("Сделано", done(None)),
        ("готово!", done(None)),
        ("Done", done(None)),
        ("Выполнено Частично", Decision::Partly { percent: None, comment: None }),
        ("в работе", Decision::Partly { percent: None, comment: None }),
        ("НЕТ", Decision::NotDone { reason: None }),
        ("Не исполнено.", Decision::NotDone { reason: None }),
    ] {
        assert_eq!(read(text, &context(1)), Ok(vec![statement(&[], decision, None)]), "{text}");
    }
}

#[test]
fn a_reported_date_is_the_completion_date() {
    let on = |text: &str, sent: NaiveDate| match read(text, &Context { sent, ..context(1) }) {
        Ok(s) => match s.as_slice() {
            [Statement { decision: Decision::Done { on }, .. }] => Ok(*on),
            other => panic!("{text}: {other:?}"),
        },
        Err(e) => Err(e),
    };
    let sent = date(2027, 3, 14);
    assert_eq!(on("исполнено 14.03", sent), Ok(Some(date(2027, 3, 14))));
    assert_eq!(on("выполнено 14.03.2027", sent), Ok(Some(date(2027, 3, 14))));
    assert_eq!(on("выполнено 01.03.27", sent), Ok(Some(date(2027, 3, 1))));
    assert_eq!(on("Исполнено 14.03.2027г.", sent), Ok(Some(date(2027, 3, 14))));
    assert_eq!(on("исполнено 5 марта", sent), Ok(Some(date(2027, 3, 5))));
    assert_eq!(on("исполнено 5 марта 2027 г., отчёт сдан", sent), Ok(Some(date(2027, 3, 5))));
    assert_eq!(on("14.03 — исполнено", sent), Ok(Some(date(2027, 3, 14))), "a date is not item 14");
    assert_eq!(on("исполнено 28.12", date(2027, 1, 10)), Ok(Some(date(2026, 12, 28))), "the nearest year");
    assert_eq!(on("исполнено, приказ от 10.03.2027 № 12", sent), Ok(Some(date(2027, 3, 10))));
    assert_eq!(on("исполнено на 100%", sent), Ok(None));
    assert_eq!(on("исполнено 31.02", sent), Err(Unclear::BadDate { text: "31.02".into() }));
    assert_eq!(on("исполнено 29.02.2027", sent), Err(Unclear::BadDate { text: "29.02.2027".into() }));
    let s = read("Исполнено 14.03, отчёт направлен", &context(1)).expect("read");
    assert_eq!(s[0].comment.as_deref(), Some("отчёт направлен"), "the date is not part of the comment");
}

#[test]
fn a_move_request_reads_any_deadline_phrase() {
    let to = |text: &str| match read(text, &context(1)) {
        Ok(s) => s.into_iter().map(|s| s.decision).collect::<Vec<_>>(),
        Err(e) => panic!("{text}: {e:?}"),
    };
    let moved = |to: NaiveDate, reason: Option<&str>| Decision::Move { to, reason: reason.map(String::from) };
    assert_eq!(to("прошу перенести до 15 марта 2027 г."), [moved(date(2027, 3, 15), None)]);
    assert_eq!(to("Прошу перенести срок до 15.03"), [moved(date(2027, 3, 15), None)]);
    assert_eq!(
        to("Просим продлить срок исполнения до 01.04.2027, так как отчёт не утверждён"),
        [moved(date(2027, 4, 1), Some("отчёт не утверждён"))]
    );
    assert_eq!(
        to("В связи с ремонтом прошу перенести срок до конца марта"),
        [moved(date(2027, 3, 31), Some("В связи с ремонтом"))]
    );
    assert_eq!(to("Перенос срока на 20.04.2027"), [moved(date(2027, 4, 20), None)]);
    assert_eq!(
        read("прошу перенести срок", &context(1)),
        Err(Unclear::NoNewDate { line: "прошу перенести срок".into() })
    );
    // «перенос» in a reason is no request.
    assert_eq!(
        read("Не исполнено в связи с переносом семинара министерством", &context(1)),
        Ok(vec![statement(
            &[],
            Decision::NotDone {
                reason: Some("в связи с переносом семинара министерством".into())
            },
            Some("в связи с переносом семинара министерством")
        )])
    );
    // A report of not done with a request to move: both, for the same item.
    assert_eq!(
        read("2 — не исполнено, прошу перенести на 20.03", &context(2)),
        Ok(vec![
            statement(&[2], Decision::NotDone { reason: None }, None),
            statement(&[2], moved(date(2027, 3, 20), None), None),
        ])
    );
}

#[test]
fn partly_with_a_percentage() {
    assert_eq!(
        read("2 — частично, 60%: проведено 3 семинара из 5", &context(2)),
        Ok(vec![statement(
            &[2],
            Decision::Partly {
                percent: Some(60), comment: Some("60%: проведено 3 семинара из 5".into())
            },
            Some("60%: проведено 3 семинара из 5")
        )])
    );
}

#[test]
fn more_ways_to_name_items() {
    assert_eq!(read3("Исполнено по пунктам 1 и 3"), Ok(vec![statement(&[1, 3], done(None), None)]));
    assert_eq!(read3("Пункт 2: выполнено"), Ok(vec![statement(&[2], done(None), None)]));
    assert_eq!(read3("п. 1, 3 — сделано"), Ok(vec![statement(&[1, 3], done(None), None)]));
    assert_eq!(
        read3("1) исполнено\n3) исполнено"),
        Ok(vec![statement(&[1], done(None), None), statement(&[3], done(None), None)])
    );
    assert_eq!(read3("Все пункты исполнены"), Ok(vec![statement(&[1, 2, 3], done(None), None)]));
    assert_eq!(read3("1,3 - выполнено"), Ok(vec![statement(&[1, 3], done(None), None)]));
    // A number that is not an item: «2 школы».
    assert_eq!(
        read("Исполнено. 2 школы сдали отчёт позже", &context(1)),
        Ok(vec![statement(&[], done(None), Some("2 школы сдали отчёт позже"))])
    );
    // The one item of a one-occurrence notice may be named.
    assert_eq!(read("1 — исполнено", &context(1)), Ok(vec![statement(&[], done(None), None)]));
}

#[test]
fn a_line_may_hold_several_statements_after_commas() {
    assert_eq!(
        read3("Пункты 1 и 2 выполнены, пункт 3 в работе"),
        Ok(vec![
            statement(&[1, 2], done(None), None),
            statement(&[3], Decision::Partly { percent: None, comment: None }, None)
        ])
    );
    assert_eq!(
        read("По 1 пункту - выполнено, по 2 - нет, ждём поставку", &context(2)),
        Ok(vec![
            statement(&[1], done(None), None),
            statement(&[2], Decision::NotDone { reason: Some("ждём поставку".into()) }, Some("ждём поставку"))
        ])
    );
    assert_eq!(
        read("1 — исполнено 14.03.2027 г. 2 — в работе", &context(2)),
        Ok(vec![
            statement(&[1], done(Some(date(2027, 3, 14))), None),
            statement(&[2], Decision::Partly { percent: None, comment: None }, None)
        ])
    );
    // A number that names no item does not split: «2 школы».
    assert_eq!(
        read("Исполнено, 2 школы сдали позже", &context(1)),
        Ok(vec![statement(&[], done(None), Some("2 школы сдали позже"))])
    );
}

#[test]
fn a_long_reply_is_read_in_time() {
    let long = "1 — исполнено\n".to_string() + &"Отчёт направлен в министерство, 1, 2, 3.\n".repeat(50_000);
    let started = std::time::Instant::now();
    assert!(read(&long, &context(2)).is_ok());
    assert!(read(&"1, ".repeat(100_000), &context(2)).is_err());
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "{:?}", started.elapsed());
}

#[test]
fn lines_without_a_decision_continue_the_statement_before() {
    assert_eq!(
        read("Добрый день!\n1 — исполнено.\nОтчёт направлен в министерство.\nЗамечаний нет.", &context(2)),
        Ok(vec![statement(&[1], done(None), Some("Отчёт направлен в министерство. Замечаний нет."))])
    );
    assert_eq!(
        read("Исполнено.\nВсё готово, документы в приложении.", &context(1)),
        Ok(vec![statement(&[], done(None), Some("Всё готово, документы в приложении."))])
    );
    assert_eq!(
        read("2 — не исполнено.\nПричина: нет финансирования.", &context(2)),
        Ok(vec![statement(
            &[2],
            Decision::NotDone { reason: Some("Причина: нет финансирования.".into()) },
            Some("Причина: нет финансирования.")
        )])
    );
}

#[test]
fn what_cannot_be_read_for_certain_is_refused() {
    assert_eq!(read3("Добрый день, уведомление получили."), Err(Unclear::NoDecision { line: None }));
    assert_eq!(read3(""), Err(Unclear::NoDecision { line: None }));
    assert_eq!(read3("> 1 — исполнено"), Err(Unclear::NoDecision { line: None }), "only a quote");
    assert_eq!(read3("4 — исполнено"), Err(Unclear::NoSuchItem { item: 4, count: 3 }));
    assert_eq!(read3("0 — исполнено"), Err(Unclear::NoSuchItem { item: 0, count: 3 }));
    assert_eq!(read("2 — исполнено", &context(1)), Err(Unclear::NoSuchItem { item: 2, count: 1 }));
    assert_eq!(read3("Исполнено"), Err(Unclear::WhichItems { count: 3 }));
    assert_eq!(read3("1 — исполнено\n1 — не исполнено"), Err(Unclear::Contradiction { item: 1 }));
    assert_eq!(read3("1-3 исполнено\n2 — в работе"), Err(Unclear::Contradiction { item: 2 }));
    assert_eq!(read3("1 — исполнено; 1 — прошу перенести до 20.03"), Err(Unclear::Contradiction { item: 1 }));
    assert_eq!(read3("1 — исполнено 10.03\n1 — исполнено 11.03"), Err(Unclear::Contradiction { item: 1 }));
    assert_eq!(read("Исполнено\nНе исполнено", &context(1)), Err(Unclear::Contradiction { item: 1 }));
    assert_eq!(
        read3("1 — исполнено\n2) отчёт будет позже"),
        Err(Unclear::NoDecision { line: Some("2) отчёт будет позже".into()) })
    );
    // The same decision twice is said once.
    assert_eq!(
        read3("1 — исполнено\n1, 2 — исполнено"),
        Ok(vec![statement(&[1], done(None), None), statement(&[2], done(None), None)])
    );
}

#[test]
fn arbitrary_text_never_panics() {
    use proptest::prelude::*;
    proptest!(ProptestConfig { cases: 512, ..ProptestConfig::default() }, |(text in "\\PC{0,300}", count in 0usize..5)| {
        let _ = read(&text, &context(count));
    });
    proptest!(ProptestConfig { cases: 512, ..ProptestConfig::default() }, |(text in "[0-9 .,;:()—–+-]{0,40}(исполнено|перенести до|частично|нет|марта)?[0-9 .,%]{0,20}")| {
        let _ = read(&text, &context(3));
    });
}
