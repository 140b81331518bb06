//! Right answers from real knowledge bases (issue 11): the self-storage knowledge base
//! (kb/storage/, tables, lists, an FAQ and look-alike numbers) with its two question halves
//! (both tuned on now); two knowledge bases written apart from the tuning (kb/fresh/, whose
//! test half is held out, and kb/fresh2/, held out whole); and one gym's facts written five
//! ways (tests/data/shapes/), which must be answered alike. Each run prints a table per class
//! (right, wrong, handed off, retrieval recall@1 and @3) and the failing questions with the
//! agent's answers; the harness is tests/common/eval.rs, whose thresholds the environment can
//! relax (`KB_EVAL_REPORT_ONLY=1` prints a baseline without checking; `KB_EVAL_VERBOSE=1`
//! prints every answer). A held-out set prints its summary only, unless `KB_EVAL_SHOW_TEST=1`,
//! so that tuning does not peek at it.
//!
//! Baseline: `KB_EVAL_REPORT_ONLY=1 cargo test --test knowledge -- --ignored --nocapture
//! --test-threads 1` (figures in tests/data/BASELINE-issue11.txt).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::eval::{self, Report, Thresholds};
use std::ops::ControlFlow;

use voxgate::dialog::{Agent, Conversation, DEMO_KB, KnowledgeSource};

/// One knowledge base against one question set, checked against the thresholds. `min` is the
/// least number of answerable and must-hand-off questions the file must hold; a held-out set
/// prints its failing questions only with `KB_EVAL_SHOW_TEST=1`.
fn run_set(kb_dir: &str, questions: &str, min: (usize, usize), held_out: bool) {
    let Some(models) = eval::models() else { return };
    let set = eval::load(questions);
    assert!(
        set.answerable.len() >= min.0 && set.handoff.len() >= min.1,
        "{questions} is complete"
    );
    let (agent, _copy, kb) = eval::agent_on_dir(&models, kb_dir);
    let report = eval::evaluate(&format!("{questions} ({kb_dir})"), &agent, &kb, &set);
    let show = !held_out || std::env::var("KB_EVAL_SHOW_TEST").as_deref() == Ok("1");
    report.print(show);
    let problems = Thresholds::from_env().problems(&report);
    assert!(problems.is_empty(), "{problems:#?}");
}

/// The storage knowledge base (tables, lists, an FAQ, look-alike numbers): its tune half, and
/// its test half, which earlier sessions ran for totals only and which is tuned on since
/// 2026-12-05.
#[test]
#[ignore = "issue 11: run on demand"]
fn storage_tune_half() {
    run_set(
        "kb/storage",
        "tests/data/storage-questions-tune.toml",
        (23, 8),
        false,
    );
}

#[test]
#[ignore = "issue 11: run on demand"]
fn storage_test_half() {
    run_set(
        "kb/storage",
        "tests/data/storage-questions-test.toml",
        (23, 8),
        false,
    );
}

/// A knowledge base and question set written apart from the tuning (`kb/fresh/`, a ferry
/// line), split into a tune and a test half after one run of the whole set; the test half is
/// held out.
#[test]
#[ignore = "issue 11: run on demand"]
fn fresh_tune_half() {
    run_set(
        "kb/fresh",
        "tests/data/fresh-questions-tune.toml",
        (20, 8),
        false,
    );
}

#[test]
#[ignore = "issue 11: the held-out half; run on demand"]
fn fresh_test_half() {
    run_set(
        "kb/fresh",
        "tests/data/fresh-questions-test.toml",
        (20, 8),
        true,
    );
}

/// A second knowledge base and question set written apart from the tuning (`kb/fresh2/`),
/// held out whole.
#[test]
#[ignore = "issue 11: the second held-out knowledge base; run on demand"]
fn fresh2_held_out() {
    run_set(
        "kb/fresh2",
        "tests/data/fresh2-questions.toml",
        (40, 15),
        true,
    );
}

/// A third knowledge base and question set written apart from the tuning (`kb/fresh3/`, a
/// driving school), a development set: read and tuned on from its first run (2026-12-05).
#[test]
#[ignore = "issue 11: the third knowledge base, a development set; run on demand"]
fn fresh3_dev() {
    run_set(
        "kb/fresh3",
        "tests/data/fresh3-questions.toml",
        (60, 15),
        false,
    );
}

/// A fifth knowledge base and question set written apart from the tuning (`kb/fresh5/`, a
/// heating and plumbing firm with cover plans), a development set: read and tuned on from its
/// first run (2026-12-06).
#[test]
#[ignore = "issue 11: the fifth knowledge base, a development set; run on demand"]
fn fresh5_dev() {
    run_set(
        "kb/fresh5",
        "tests/data/fresh5-questions.toml",
        (60, 15),
        false,
    );
}

/// A sixth knowledge base and question set written apart from the tuning (`kb/fresh6/`, a
/// leisure centre with a gym, pools, classes and swimming lessons), a development set: read
/// and tuned on from its first run (2026-12-07).
#[test]
#[ignore = "issue 11: the sixth knowledge base, a development set; run on demand"]
fn fresh6_dev() {
    run_set(
        "kb/fresh6",
        "tests/data/fresh6-questions.toml",
        (60, 15),
        false,
    );
}

/// A fourth knowledge base and question set written apart from the tuning (`kb/fresh4/`, a
/// veterinary practice with a pet hotel), held out whole: never read, never tuned on (2026-12-05).
#[test]
#[ignore = "issue 11: the fourth held-out knowledge base; run on demand"]
fn fresh4_held_out() {
    run_set(
        "kb/fresh4",
        "tests/data/fresh4-questions.toml",
        (60, 15),
        true,
    );
}

const SHAPES: &[&str] = &[
    "prose",
    "list",
    "table-wide",
    "table-transposed",
    "table-kv",
];

/// Every shape of the gym's facts meets the thresholds, and each question comes out the same
/// (right, wrong, handed off) whatever the shape.
#[test]
#[ignore = "issue 11: enabled when the structured knowledge lands"]
fn table_shapes_answer_alike() {
    let Some(models) = eval::models() else { return };
    let set = eval::load("tests/data/shapes/questions.toml");
    assert!(set.answerable.len() >= 12 && set.handoff.len() >= 3);
    let thresholds = Thresholds::from_env();
    let mut reports: Vec<Report> = Vec::new();
    let mut problems = Vec::new();
    for shape in SHAPES {
        let (agent, _copy, kb) = eval::agent_on_dir(&models, &format!("tests/data/shapes/{shape}"));
        let report = eval::evaluate(&format!("shape {shape}"), &agent, &kb, &set);
        report.print(true);
        problems.extend(thresholds.problems(&report));
        reports.push(report);
    }
    let disagree = print_shapes(&reports);
    if disagree > 0 && !thresholds.report_only {
        problems.push(format!("the shapes disagree on {disagree} questions"));
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// Prints each question's outcome per shape and a summary line per shape; returns how many
/// questions came out differently across shapes.
fn print_shapes(reports: &[Report]) -> usize {
    let mut disagree = 0;
    eprintln!(
        "== outcomes per shape (R right, W wrong, H handed off although answerable, h handed \
         off as it must, A answered although it must hand off)"
    );
    eprintln!("   {}", SHAPES.join(" | "));
    for (i, (q, _)) in reports[0].outcomes.iter().enumerate() {
        let letters: Vec<char> = reports.iter().map(|r| r.outcomes[i].1.letter()).collect();
        let same = letters.iter().all(|&l| l == letters[0]);
        disagree += usize::from(!same);
        let cells: Vec<String> = letters.iter().map(char::to_string).collect();
        eprintln!("{} {}  {q}", if same { ' ' } else { '≠' }, cells.join(" "));
    }
    eprintln!(
        "| shape            | right | wrong | handed off |   r@1 |   r@3 | must hand off | raw Markdown |"
    );
    eprintln!(
        "|------------------|------:|------:|-----------:|------:|------:|--------------:|-------------:|"
    );
    for (shape, r) in SHAPES.iter().zip(reports) {
        let all = r.answerable();
        let of = |k: usize, n: usize| format!("{k}/{n}");
        eprintln!(
            "| {shape:<16} | {:>5} | {:>5} | {:>10} | {:>5} | {:>5} | {:>13} | {:>12} |",
            of(all.right, all.n),
            all.wrong,
            all.handed_off,
            of(all.recall1, all.n),
            of(all.recall3, all.n),
            of(r.handoff_ok, r.handoff_n),
            r.raw_markdown
        );
    }
    eprintln!("shapes disagree on {disagree} questions");
    disagree
}

/// The bundled demo question set (tests/data/ask-questions.toml) through the same harness,
/// printed only: tests/ask.rs holds its acceptance.
#[test]
#[ignore = "prints the demo set through the issue-11 harness; tests/ask.rs checks it"]
fn demo_set_through_the_harness() {
    let Some(models) = eval::models() else { return };
    let set = eval::load("tests/data/ask-questions.toml");
    let agent =
        Agent::build(&eval::settings(), KnowledgeSource::Demo, &models, &[]).expect("agent starts");
    let kb: Vec<(String, String)> = DEMO_KB
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    let report = eval::evaluate("demo (kb/demo)", &agent, &kb, &set);
    report.print(true);
}

/// Two routes call at Skellan, each with its own crossing time: asked "how long is the
/// crossing to Skellan?", the agent asks which route is meant instead of stating either, and
/// reads the caller's reply with the question; a question naming the route is answered at
/// once.
#[test]
fn look_alike_facts_are_asked_about_and_the_reply_answers() {
    use voxgate::dialog::Conversation;
    let Some(models) = eval::models() else { return };
    let (agent, _copy, _) = eval::agent_on_dir(&models, "kb/fresh");
    let mut conv = Conversation::new();
    let mut say = |_: &str| std::ops::ControlFlow::Continue(());
    let asked = agent.respond(
        &mut conv,
        "How long is the crossing over to Skellan?",
        &mut say,
    );
    assert!(asked.handoff.is_none(), "{asked:?}");
    assert!(asked.text.starts_with("Do you mean"), "{}", asked.text);
    assert!(
        asked.text.contains("Port Alder – Skellan") && asked.text.contains("Skellan – Tollmore"),
        "{}",
        asked.text
    );
    let reply = agent.respond(&mut conv, "From Port Alder.", &mut say);
    assert!(reply.text.contains("55 min"), "{reply:?}");
    let named = agent.ask("How long is the crossing from Port Alder to Skellan?");
    assert!(named.text.contains("55 min"), "{named:?}");
    assert!(!named.text.starts_with("Do you mean"), "{named:?}");
}

/// A notice rule in tiers (72 hours or more / between 24 and 72 / less than 24): the caller's
/// own figure picks the tier, whatever sentence is closest in meaning; a list question is
/// answered by the whole list; a limit by the range that states it.
#[test]
fn tiers_lists_and_limits_are_answered_from_the_callers_words() {
    let Some(models) = eval::models() else { return };
    let (agent, _copy, _) = eval::agent_on_dir(&models, "kb/fresh3");
    let week = agent.ask(
        "I've got a lesson next Friday and I need to cancel. That's a full week ahead. Will I \
         have to pay anything?",
    );
    assert!(week.text.contains("no charge"), "{week:?}");
    let day = agent.ask("If I cancel my lesson with less than a day's notice, what do I pay?");
    assert!(day.text.contains("full lesson price"), "{day:?}");
    let two = agent.ask("What if I cancel a lesson two days before?");
    assert!(two.text.contains("half the lesson price"), "{two:?}");
    let bring = agent.ask("My test is on Monday. What do I need to bring with me?");
    for item in ["provisional driving licence", "theory test", "glasses"] {
        assert!(bring.text.contains(item), "{item}: {bring:?}");
    }
    let most = agent.ask("What's the most I can put on one gift voucher?");
    assert!(most.text.contains("£500"), "{most:?}");
}

/// What the knowledge base never names is not said to exist ("motorbike lessons", "hand
/// controls"), however close a sentence is; a fee asked "when you refund hours" is a fee, a
/// deadline ("the latest I can pay") is stated by "by 6pm", and a row named by another figure
/// ("Fast Track 5-day") does not answer "five hours"; "how far" is answered by a distance;
/// "how long have I got to ask?" by the caller's time, not the business's.
#[test]
fn existence_deadlines_and_counted_names_are_read_from_the_callers_words() {
    let Some(models) = eval::models() else { return };
    let (agent, _copy, _) = eval::agent_on_dir(&models, "kb/fresh3");
    for q in [
        "Do you do motorbike lessons as well?",
        "I use a wheelchair. Have you got an adapted car with hand controls?",
    ] {
        let a = agent.ask(q);
        assert!(a.handoff.is_some(), "{q}: {a:?}");
    }
    let fee = agent.ask("When you refund unused block hours, what's the admin fee you take off?");
    assert!(fee.text.contains("£20"), "{fee:?}");
    let latest =
        agent.ask("What's the latest I can pay for a lesson before you give my slot away?");
    assert!(latest.text.contains("6pm"), "{latest:?}");
    let bundle = agent.ask("What does the block of five hours cost in an automatic?");
    assert!(!bundle.text.contains("705"), "{bundle:?}");
    // "How far…?" is answered by the row's distance, not its other cell (the nearest office).
    let far = agent.ask("How far is the Crossways test centre from the Mill?");
    assert!(far.text.contains("4 miles"), "{far:?}");
    // The caller's own time to ask is not the business's time to pay, and the other way round.
    let ask = agent.ask(
        "I bought a block of hours a while back and now I'm moving away for work. How long \
         have I got to ask for my money back on the hours I haven't used?",
    );
    assert!(ask.text.contains("12 months"), "{ask:?}");
    let pay =
        agent.ask("Once you've agreed my refund, how long does it take for the money to get back onto my card?");
    assert!(pay.text.contains("10 working days"), "{pay:?}");
    // "agreed" is the document's "agreeing" though their stems differ by an "e".
    let agreed =
        agent.ask("Once you've agreed my refund, how long does it take for the money to get back?");
    assert!(agreed.text.contains("10 working days"), "{agreed:?}");
}

/// Knowledge written the way operators write it (`kb/fresh5/`, a development set): FAQ pairs
/// in bold, a plan table with the plans as columns asked with "call you out", an age said in
/// words, a window's latest moment, a reduction that is not a price, and a figure the model
/// tells of a name from another passage.
#[test]
fn faq_marks_plan_columns_and_reductions_are_read_as_operators_write_them() {
    let Some(models) = eval::models() else { return };
    let (agent, _copy, _) = eval::agent_on_dir(&models, "kb/fresh5");
    let faq = agent.ask(
        "My radiators are warm at the bottom but stone cold at the top. What's going on with them?",
    );
    assert!(
        faq.text.contains("air trapped") && !faq.text.contains("Q:"),
        "{faq:?}"
    );
    let plus = agent.ask("Um, how many times a year am I allowed to call you out on Boiler Plus?");
    assert!(plus.text.contains("Boiler Plus: 4"), "{plus:?}");
    let mum = agent.ask("My mum's seventy-two. Does she get any sort of discount with you?");
    assert!(mum.text.contains("10%"), "{mum:?}");
    let slot =
        agent.ask("If I pick the afternoon slot, what's the latest the engineer could turn up?");
    assert!(slot.text.contains("4pm"), "{slot:?}");
    let combi = agent.ask("Roughly how much is a new combi boiler fitted? Just a ballpark.");
    assert!(!combi.text.contains('£'), "{combi:?}");
    let id = agent.ask("What's Gareth Bell's own Gas Safe ID number? I want to check him first.");
    assert!(!id.text.contains("604218"), "{id:?}");
}

/// A table row named by another of its cells (`kb/fresh5/`'s areas table is keyed by
/// postcode district; callers name the area), and a follow-up asking another column of it;
/// a duration the model does not find, read from the section's one sentence giving it; and a
/// cell named past a header's note, a weekday and a plan the caller has not got.
#[test]
fn a_row_named_by_its_area_answers_and_a_follow_up_asks_its_other_column() {
    let Some(models) = eval::models() else { return };
    let (agent, _copy, _) = eval::agent_on_dir(&models, "kb/fresh5");
    let westerby = agent.ask("What's the travel charge for Westerby?");
    assert!(westerby.text.contains("£25"), "{westerby:?}");
    // The model says it does not know; the email section's one figure of a duration is read.
    let email = agent.ask(
        "If I send you an email instead of ringing, how quick do you normally get back to people?",
    );
    assert!(email.text.contains("1 working day"), "{email:?}");
    // The named cell's row is ranked below two certificate rows of its table.
    let service = agent.ask(
        "I'm a landlord, I just want the gas boiler serviced in my rental, not the certificate. \
         How much is that?",
    );
    assert!(
        service.text.contains("£95") && !service.text.contains("£139"),
        "{service:?}"
    );
    // A yes or no after a statement names no cell ("years old" is no annual price).
    let age = agent.ask(
        "My boiler's about eleven years old now. Could I still get the Boiler Basic plan on it?",
    );
    assert!(
        age.text.contains("10 years") && !age.text.contains("£154"),
        "{age:?}"
    );
    // "Callout fee (includes first hour)" is named without its note; "a weekday" is in a row
    // for Monday to Friday, and the plan the caller has not got names no row.
    let mut conv = Conversation::new();
    let mut turn = |q: &str| agent.respond(&mut conv, q, &mut |_| ControlFlow::Continue(()));
    let evening = turn("What's your callout fee on a weekday evening if I haven't got a plan?");
    assert!(evening.text.contains("£119"), "{evening:?}");
    let holiday = turn("And on a bank holiday?");
    assert!(holiday.text.contains("£159"), "{holiday:?}");
    let mut conv = Conversation::new();
    let mut turn = |q: &str| agent.respond(&mut conv, q, &mut |_| ControlFlow::Continue(()));
    let zone = turn("Which zone is Tarnside in?");
    assert!(
        zone.text.contains("Zone B") && !zone.text.contains("Zone D"),
        "{zone:?}"
    );
    let charge = turn("And what's the travel charge there?");
    assert!(
        charge.text.contains("£15") && !charge.text.contains("£35"),
        "{charge:?}"
    );
    // "If you cancel within those 14 days, you get a full refund" gives no time the refund
    // takes; the section ranked second says it ("Refunds are paid back … within 10 working
    // days"), beside two notice periods.
    let mut conv = Conversation::new();
    let mut turn = |q: &str| agent.respond(&mut conv, q, &mut |_| ControlFlow::Continue(()));
    let cooling = turn("How long's the cooling-off period on a cover plan?");
    assert!(cooling.text.contains("14"), "{cooling:?}");
    let refund = turn("And how long does the refund take to come through?");
    assert!(refund.text.contains("10 working days"), "{refund:?}");
    // "Renews" says "renewal": the price-change notice is found although the top chunk is
    // only fairly close.
    let warning = agent.ask(
        "If you decide to put the price of my plan up when it renews, how much warning do I get?",
    );
    assert!(warning.text.contains("28 days"), "{warning:?}");
}

/// A transposed table (`kb/fresh3/`'s courses are columns): the caller names the row "Price,
/// manual" and describes the column by one of its cells ("two-week": "10 weekdays (2
/// weeks)"); words from two cells of a column ("five" and "hours") describe none, and a
/// follow-up in the knowledge base's nickname ("the hybrid") names the automatic column; a
/// follow-up naming a day is answered by the weekend price.
#[test]
fn a_described_column_and_a_nicknamed_one_give_their_cells() {
    let Some(models) = eval::models() else { return };
    let (agent, _copy, _) = eval::agent_on_dir(&models, "kb/fresh3");
    let crash = agent.ask("How much is the two-week crash course if I'm learning in a manual?");
    assert!(crash.text.contains("£1,240"), "{crash:?}");
    let bundle = agent
        .ask("I was wondering what the bundle of five hours costs if I learn in an automatic?");
    assert!(!bundle.text.contains("£705"), "{bundle:?}");
    let mut conv = Conversation::new();
    let mut turn = |q: &str| agent.respond(&mut conv, q, &mut |_| ControlFlow::Continue(()));
    let manual = turn("How much is a single lesson in a manual?");
    assert!(manual.text.contains("£38"), "{manual:?}");
    let hybrid = turn("And in the hybrid?");
    assert!(hybrid.text.contains("£41"), "{hybrid:?}");
    // A day the follow-up names (a column word elsewhere) is said by "weekend" prices.
    let mut conv = Conversation::new();
    let mut turn = |q: &str| agent.respond(&mut conv, q, &mut |_| ControlFlow::Continue(()));
    let weekday = turn("What's the DVSA test fee on a weekday?");
    assert!(weekday.text.contains("£62"), "{weekday:?}");
    let saturday = turn("And if it's on a Saturday?");
    assert!(saturday.text.contains("£75"), "{saturday:?}");
    // Yes-or-no questions about what the knowledge base never names go to a person: an act
    // ("extend"), and a thing close only through the story told before it.
    for q in [
        "My gift voucher ran out last month. Can you extend it for me?",
        "I'll need to pay cash at the Northgate office. Is there a cash machine near there?",
    ] {
        let a = agent.ask(q);
        assert!(a.handoff.is_some(), "{q}: {a:?}");
    }
}

/// A regulated topic the knowledge base covers is a routine question ("How much is a repeat
/// prescription?" at a pharmacy's); asking for advice on it still goes to a person.
#[test]
fn a_covered_regulated_topic_is_answered_and_advice_on_it_is_handed_off() {
    use voxgate::dialog::HandoffReason;
    let Some(models) = eval::models() else { return };
    let (agent, _copy) = eval::agent_on_text(
        &models,
        "pharmacy.md",
        "# Repeat prescriptions\n\nA repeat prescription costs £9.90 per item. Order it online \
         or at the counter; it is ready in two working days.\n\n# Advice\n\nOur pharmacists \
         give advice in person at the counter, not over the phone.\n",
    );
    let price = agent.ask("How much is a repeat prescription?");
    assert!(
        price.handoff.is_none() && price.text.contains("9.90"),
        "{price:?}"
    );
    for q in [
        "How much medication should I give my dog?",
        "Can I take ibuprofen with my prescription?",
    ] {
        let a = agent.ask(q);
        assert_eq!(
            a.handoff,
            Some(HandoffReason::RegulatedAdvice),
            "{q}: {a:?}"
        );
    }
}

/// "How far…?" is answered by the row's distance, also when the caller names the row's own
/// station; "there is no parking of our own" is said
/// with what there is instead (a knowledge base written here).
#[test]
fn a_distance_is_answered_and_what_is_not_there_comes_with_what_is() {
    let Some(models) = eval::models() else { return };
    let (agent, _copy) = eval::agent_on_text(
        &models,
        "sites.md",
        "# Our pools\n\n| Pool | Nearest station | Distance from the station |\n| --- | --- | --- \
         |\n| Eastgate Pool | Eastgate Central | 400 metres |\n| Marsh Lane Pool | Marsh Lane \
         Halt | 2 miles |\n\n# Parking at the pools\n\n- Eastgate Pool: there is no parking of \
         our own. The nearest car park is the Eastgate multi-storey, about 300 metres away.\n- \
         Marsh Lane Pool: there are 40 free spaces beside the building.\n\n# Swimming lessons\n\n\
         Lessons for children run on Saturday mornings and cost £8 per lesson.\n",
    );
    let far = agent.ask("How far is Marsh Lane Pool from the station?");
    assert!(
        far.handoff.is_none() && far.text.contains("2 miles"),
        "{far:?}"
    );
    // The station named by its cell's words: the row's distance, not the car park's.
    let far = agent.ask("How far is the Eastgate pool from Eastgate Central?");
    assert!(
        far.handoff.is_none() && far.text.contains("400 metres"),
        "{far:?}"
    );
    let park = agent.ask("Is there parking at the Eastgate pool?");
    assert!(
        park.handoff.is_none() && park.text.contains("multi-storey"),
        "{park:?}"
    );
}

/// A dental practice written here (no development set's wording): notice read from when the
/// caller says it is now and when the appointment is, a "no" said with the way it can be
/// done, phone numbers that look like one (not a registration number), someone's own number
/// the knowledge base lacks, a means it never names, and "what should I do?" answered by what
/// to do.
#[test]
fn notice_from_now_and_then_and_a_no_with_its_way_are_read_as_callers_say_them() {
    let Some(models) = eval::models() else { return };
    let (agent, _copy) = eval::agent_on_text(
        &models,
        "practice.md",
        "# Appointments\n\n## Cancelling an appointment\n\nCancel or move an appointment at \
         least 48 hours before it and there is no charge. If you cancel with less than 48 \
         hours' notice, we charge a £30 late cancellation fee.\n\n## Paying\n\nWe take these \
         ways to pay:\n\n- Cards (Visa, Mastercard and American Express) at reception\n- Bank \
         transfer, using the reference on your invoice\n- Cash, at the reception desk only\n\n\
         Our hygienists can't take payment in the surgery.\n\n## Phone numbers\n\n- Reception \
         (bookings and bills): 01632 555 120\n- Out-of-hours dental emergencies: 01632 555 \
         199\n\nOur practice registration number is 730211.\n\n## Lost fillings\n\n**Q: A \
         filling has come out. Is it an emergency?**\nA: It is usually not an emergency if \
         there is no pain. Avoid chewing on that side and book an appointment within a week.\n",
    );
    // Monday evening to Wednesday morning is under 48 hours; neither turn says a figure.
    for q in [
        "It's Monday evening and my check-up is on Wednesday morning. If I cancel now, is there \
         a fee?",
        "It's Friday afternoon and my appointment is tomorrow morning. Can I move it for free?",
    ] {
        let a = agent.ask(q);
        assert!(a.text.contains("£30"), "{q}: {a:?}");
    }
    let cash = agent.ask("Can I pay the hygienist in cash after my appointment?");
    assert!(
        cash.text.contains("can't take payment") && cash.text.contains("reception desk"),
        "{cash:?}"
    );
    let ring = agent.ask("What number do I ring for a dental emergency out of hours?");
    assert!(ring.text.contains("555 199"), "{ring:?}");
    for q in [
        "What's the hygienist's own registration number?",
        "Can I pay my bill through Klarna?",
    ] {
        let a = agent.ask(q);
        assert!(a.handoff.is_some(), "{q}: {a:?}");
    }
    let filling = agent.ask("A filling's fallen out but it doesn't hurt. What should I do?");
    assert!(filling.text.contains("Avoid chewing"), "{filling:?}");
}
