use std::collections::HashSet;

use super::*;
use crate::dialog::kb::Vocabulary;

fn slot(q: &str) -> Slot {
    Slot::of(q)
}

/// A slot of `kind` with no period.
fn of_kind(kind: Kind) -> Slot {
    Slot {
        kind: Some(kind),
        period: None,
    }
}

#[test]
fn questions_name_their_slot() {
    let price = Some(Kind::Price);
    assert_eq!(slot("How much is the small unit?").kind, price);
    assert_eq!(slot("what does the big one cost").kind, price);
    assert_eq!(slot("what's the fee for cancelling?").kind, price);
    assert_eq!(
        slot("What do I pay each time you come out to a claim?").kind,
        price
    );
    assert_eq!(slot("And what would it cost me?").kind, price);
    let family = slot("What's the family swim membership a month? It'd be me and the kids.");
    assert_eq!((family.kind, family.period), (price, Some(Period::Month)));
    assert_eq!(slot("What's the data allowance a month?").kind, None);
    assert_eq!(
        slot("No cover. What's your callout going to be?").kind,
        price
    );
    // Yes or no, or not about an amount at all.
    assert_eq!(slot("Is there a fee for cancelling?").kind, None);
    assert_eq!(slot("Do your prices include VAT?").kind, None);
    assert_eq!(slot("When will my card be charged?").kind, None);
    assert_eq!(
        slot("Does the warranty cover accidental damage?").kind,
        None
    );
    assert_eq!(
        slot("How long do I have to return it?").kind,
        Some(Kind::Duration)
    );
    assert_eq!(
        slot("How much notice do I need to give?").kind,
        Some(Kind::Duration)
    );
    assert_eq!(
        slot("how many days does the refund take").kind,
        Some(Kind::Duration)
    );
    assert_eq!(
        slot("If I've no heating, what's your response time?").kind,
        Some(Kind::Duration)
    );
    assert_eq!(slot("What time do you open?").kind, Some(Kind::Clock));
    assert_eq!(slot("Are you open on Sundays?").kind, Some(Kind::Clock));
    assert_eq!(slot("what are the office hours").kind, Some(Kind::Clock));
    assert_eq!(slot("How do I pay?").kind, None);
    assert_eq!(slot("Can I store paint?").kind, None);
    let size = Some(Kind::Size);
    assert_eq!(slot("Um, how big is the large unit actually?").kind, size);
    assert_eq!(slot("what size is the luton van").kind, size);
    // How far is a distance (answered by a length, a walk or a landmark: not a measure of
    // size); which size suits is answered by a row's name.
    let distance = Some(Kind::Distance);
    assert_eq!(
        slot("How far is the test centre from the Mill?").kind,
        distance
    );
    assert_eq!(
        slot("what's the distance to the nearest car park").kind,
        distance
    );
    assert_eq!(
        slot("How far in advance do I have to book?").kind,
        Some(Kind::Duration)
    );
    assert_eq!(slot("Which size would I need?").kind, None);
    assert_eq!(slot("what size unit do I need for a sofa?").kind, None);
}

#[test]
fn a_size_is_a_measure() {
    let size = of_kind(Kind::Size);
    assert!(size.fits("Large, size: 10 x 10 ft."));
    assert!(size.fits("The Luton van carries up to 1,000 kg."));
    assert!(size.fits("Each locker is 90 cm wide."));
    assert!(!size.fits("If the unit turns out too small or too big, you can move."));
    assert!(!size.fits("Large, per week: £27.50."));
}

#[test]
fn a_distance_is_a_length_a_walk_or_a_landmark() {
    let distance = of_kind(Kind::Distance);
    assert!(distance.fits("Crossways Test Centre, distance: 4 miles."));
    assert!(distance.fits("The car park is about 200 metres away."));
    assert!(distance.fits("We are five minutes from the station."));
    assert!(distance.fits("It's a 10-minute walk from the bus stop."));
    assert!(distance.fits("The depot is opposite the railway station."));
    assert!(!distance.fits("Crossways Test Centre, nearest office: Riverside office."));
    assert!(!distance.fits("The test lasts 40 minutes."));
    assert!(!distance.fits("There are 40 free spaces beside the building."));
}

#[test]
fn a_price_question_names_its_period() {
    assert_eq!(slot("how much is it per month").period, Some(Period::Month));
    assert_eq!(slot("what's the weekly price").period, Some(Period::Week));
    assert_eq!(slot("how much a day for the van").period, Some(Period::Day));
    assert_eq!(slot("how much is the small unit").period, None);
    assert_eq!(slot("how many weeks is the minimum").period, None);
}

#[test]
fn sentences_fit_the_slot_or_not() {
    let month = slot("How much is the small unit per month?");
    assert!(month.fits("Small, per month: £48."));
    assert!(month.fits("It costs 48 pounds a month."));
    assert!(!month.fits("Small, per week: £12."));
    assert!(!month.fits("The small unit is 25 square feet."));
    let long = slot("How long does the refund take?");
    assert!(long.fits("Refunds take 5 to 7 working days."));
    assert!(long.fits("We refund within fourteen days."));
    assert!(long.fits("It is refunded the same day."));
    assert!(!long.fits("Refunds go to the card you paid with."));
    let open = slot("What time do you open on Saturday?");
    assert!(open.fits("Saturday: 9am to 1pm."));
    assert!(open.fits("Saturday, office: 09:00–13:00."));
    assert!(open.fits("Closed on Sundays."));
    assert!(!open.fits("Our office is at 1 High Street."));
    assert!(slot("Do you sell boxes?").fits("Yes, boxes are sold at reception."));
    assert!(slot("Is there a charge for padlocks?").fits("Padlocks are free."));
}

fn vocab(words: &[&str]) -> HashSet<String> {
    words.iter().map(|w| w.to_string()).collect()
}

#[test]
fn a_neighbouring_row_does_not_fit_the_names_asked() {
    let v = vocab(&[
        "small", "large", "unit", "week", "month", "deposit", "price",
    ]);
    let q = "how much is the large unit per month";
    assert!(names_fit(
        q,
        "Prices > Unit: Large\nLarge, per month: £80.",
        &v
    ));
    assert!(!names_fit(
        q,
        "Prices > Unit: Small\nSmall, per month: £48.",
        &v
    ));
    // Words the table does not use as names do not count.
    assert!(names_fit(
        "how much is the large unit for my sofa per month",
        "Large, per month: £80 unit.",
        &v
    ));
}

#[test]
fn extra_after_a_verb_of_paying_names_no_column() {
    let v: HashSet<String> = ["extra", "minutes", "travel", "charge", "kz6"]
        .iter()
        .flat_map(|w| content(w))
        .collect();
    let row = "KZ6, travel charge per visit: £25.";
    assert!(names_fit(
        "I'm in KZ6. Do you charge extra to come out?",
        row,
        &v
    ));
    assert!(names_fit("Will it cost me extra in KZ6?", row, &v));
    assert!(!names_fit("What's each extra 30 minutes in KZ6?", row, &v));
}

#[test]
fn weekdays_are_covered_by_ranges_and_words() {
    let v = vocab(&["monday", "saturday", "sunday", "office"]);
    let q = "are you open on tuesday";
    assert!(names_fit(q, "Monday to Friday: 8am to 6pm.", &v));
    assert!(names_fit(q, "Mon–Fri, office: 8am–6pm.", &v));
    assert!(names_fit(q, "Weekdays: 8am to 6pm.", &v));
    assert!(names_fit(q, "Open 7 days a week, 6am to 10pm.", &v));
    assert!(!names_fit(q, "Saturday: 9am to 1pm.", &v));
    assert!(!names_fit(
        "and on sundays?",
        "Saturday, office: 9am–1pm.",
        &v
    ));
    assert!(names_fit("and on sundays?", "Sunday, office: closed.", &v));
    assert!(names_fit("open at weekends?", "Saturday: 9am to 1pm.", &v));
}

#[test]
fn a_follow_up_keeps_what_it_does_not_change() {
    let before = "What are the office hours on Saturday?";
    let cols = vocab(&["cover", "deposit", "week", "month"]);
    assert_eq!(
        Slot::of_turn("and on Sundays?", Some(before), &cols).kind,
        Some(Kind::Clock)
    );
    let price = "How much is the large unit per week?";
    let s = Slot::of_turn("how much is that one per month?", Some(price), &cols);
    assert_eq!((s.kind, s.period), (Some(Kind::Price), Some(Period::Month)));
    let s = Slot::of_turn("And when does it apply?", Some(price), &cols);
    assert_eq!((s.kind, s.period), (None, None));
    let s = Slot::of_turn("And per month?", Some(price), &cols);
    assert_eq!((s.kind, s.period), (Some(Kind::Price), Some(Period::Month)));
    let s = Slot::of_turn("and the small one?", Some(price), &cols);
    assert_eq!((s.kind, s.period), (Some(Kind::Price), Some(Period::Week)));
    // Another column: nothing inherited.
    let s = Slot::of_turn("and what does it cover me up to?", Some(price), &cols);
    assert_eq!((s.kind, s.period), (None, None));
    let s = Slot::of_turn("and the deposit on it?", Some(price), &cols);
    assert_eq!((s.kind, s.period), (Some(Kind::Price), None));
    let v = vocab(&["small", "large", "unit", "saturday", "sunday"]);
    assert_eq!(
        names_source("and on Sundays?", Some(before), &v),
        "and on Sundays?"
    );
    assert_eq!(
        names_source("how much is that one per month?", Some(price), &v),
        price
    );
    assert_eq!(
        names_source("and the small one?", Some(price), &v),
        "and the small one?"
    );
}

#[test]
fn how_many_asks_for_a_number() {
    let s = slot("How many free miles do I get with a van?");
    assert_eq!(s.kind, Some(Kind::Count));
    assert!(s.fits("The first 50 miles are free."));
    assert!(!s.fits("Mileage over the free miles is still charged."));
}

#[test]
fn a_count_is_not_a_price_nor_a_measure() {
    let s = slot("How many cars can you fit on the Tollmore boat?");
    assert_eq!(s.kind, Some(Kind::Count));
    assert!(!s.fits("Car up to 5 m, Tollmore single: €37.50."));
    assert!(!s.fits("Bikes cost £4.50 each way, 10% off with a return."));
    assert!(s.fits("The Tern carries up to 40 cars and 300 passengers."));
    assert!(s.fits("No more than two dogs per cabin."));
}

#[test]
fn a_row_label_must_be_asked_about() {
    let q = "How much is one of your padlocks?";
    assert!(!label_fits(
        q,
        "Cutting off your padlock if you lose the key"
    ));
    assert!(label_fits(q, "Padlock"));
    assert!(!label_fits(
        "I want to bring my kayak over to the island. Is there a charge?",
        "Adult (16 and over)"
    ));
    assert!(label_fits("how much for an adult?", "Adult (16 and over)"));
    assert!(label_fits(
        "when do you open on a weekday?",
        "Monday to Friday"
    ));
    assert!(!label_fits("when do you open on a weekday?", "Saturday"));
    assert!(label_fits("are you open on Sundays?", "Sunday"));
    assert!(!label_fits("are you open on Sundays?", "Monday to Friday"));
    assert!(label_fits("what does plus cost a month", "Monthly price"));
    assert!(label_fits(
        "what's the joining fee on standard",
        "Joining fee"
    ));
    assert!(!label_fits(
        "what's the monthly price on standard",
        "Joining fee"
    ));
    // The head noun of a short label is enough; a qualifier after a comma is not needed.
    assert!(label_fits(
        "I've lost my fob. How much is a new one?",
        "Replacement access fob"
    ));
    assert!(label_fits(
        "What are the gate hours down at Harbourside?",
        "Gate access, every day"
    ));
    assert!(!label_fits(
        "What are the office hours?",
        "Gate access, every day"
    ));
    // A bound's word and a compound's "up" name nothing: the boiler's age names this row.
    assert!(label_fits(
        "is a boiler of that age all right?",
        "Maximum boiler age at sign-up"
    ));
    assert!(!label_fits(
        "is my boiler all right?",
        "Maximum boiler age at sign-up"
    ));
}

#[test]
fn a_row_label_word_naming_something_else_is_not_that_row() {
    let known = Vocabulary::knowing(&["small", "box", "unit", "plan", "week"]);
    let row = "Unit sizes and prices > Small\nSmall, per week: £9.95.";
    assert!(!label_phrase_fits(
        "How much is a small box?",
        "Small",
        (row, row),
        &known
    ));
    assert!(label_phrase_fits(
        "How much is a small unit?",
        "Small",
        (row, row),
        &known
    ));
    assert!(label_phrase_fits(
        "How much is the small one a week?",
        "Small",
        (row, row),
        &known
    ));
    assert!(label_phrase_fits(
        "How much is the small one a week?",
        "Small",
        (row, row),
        &Vocabulary::knowing(&["one"])
    ));
    assert!(label_phrase_fits(
        "How much to get the small unlocked?",
        "Small",
        (row, row),
        &Vocabulary::knowing(&["unlocked"])
    ));
    // A word the knowledge base never uses says nothing.
    assert!(label_phrase_fits(
        "How much is a small thingy?",
        "Small",
        (row, row),
        &known
    ));
}

#[test]
fn a_phrase_of_the_rows_own_cells_names_that_row() {
    let known = Vocabulary::knowing(&["eastgate", "central", "pool", "station", "car", "park"]);
    let q = "How far is the Eastgate pool from Eastgate Central?";
    let read = "Our pools > Eastgate Pool\nEastgate Pool, distance from the station: 400 metres.";
    let whole = "Our pools > Eastgate Pool\nEastgate Pool, nearest station: Eastgate Central. \
                 Eastgate Pool, distance from the station: 400 metres.";
    assert!(label_phrase_fits(q, "Eastgate Pool", (read, whole), &known));
    // The same words apart in the row are no phrase of it.
    let apart = "Our pools > Eastgate Pool\nEastgate Pool, nearest station: Central Street. \
                 Eastgate Pool, distance from the station: 400 metres.";
    assert!(!label_phrase_fits(
        q,
        "Eastgate Pool",
        (read, apart),
        &known
    ));
}

#[test]
fn uncounted_hours_are_opening_times() {
    assert_eq!(
        slot("What are the gate hours down at Harbourside?").kind,
        Some(Kind::Clock)
    );
    assert_eq!(
        slot("How many hours a week can I use it?").kind,
        Some(Kind::Duration)
    );
}

#[test]
fn a_bare_amount_with_pence_is_a_price_but_a_clock_time_is_not() {
    let s = slot("How much is a small box?");
    assert!(s.fits("Prices are per item: small box — 2.50."));
    assert!(!s.fits("The office opens at 8.30 am."));
}

#[test]
fn contact_details_are_slots() {
    let email = slot("What is your email address for help?");
    assert_eq!(email.kind, Some(Kind::Email));
    assert!(email.fits("Email help@lumenandoak.example any time."));
    assert!(!email.fits("Contact customer service with the email address you used."));
    let phone = slot("What is your customer service phone number?");
    assert_eq!(phone.kind, Some(Kind::Phone));
    assert!(phone.fits("Call us on 0800 123 4567."));
    assert!(!phone.fits("Call us during opening hours."));
    assert!(!phone.fits("Our company registration number is 604218."));
    assert!(phone.fits("Call (555) 123-4567."));
    assert_eq!(
        slot("What number do I ring for a repair?").kind,
        Some(Kind::Phone)
    );
    let id = slot("What's Gareth Bell's own Gas Safe ID number?");
    assert_eq!(id.kind, Some(Kind::Code));
    assert!(id.fits("Gareth Bell, Gas Safe number: 4821907."));
    assert!(!id.fits("You can ask any engineer to show you their Gas Safe ID card."));
    // Someone's own number is not another's.
    let own = "What's the hygienist's own registration number?";
    let practice = "Our practice registration number is 730211.";
    assert!(!narrowed_fits(own, Slot::of(own), practice));
    let ours = "What's your registration number?";
    assert!(narrowed_fits(ours, Slot::of(ours), practice));
}

#[test]
fn prose_about_other_days_does_not_answer() {
    let week = "The gym is open from 6 am to 10 pm Monday to Friday.";
    let holidays = "On bank holidays it is open from 9 am to 5 pm.";
    assert!(days_fit(
        "What time do you open on a Saturday?",
        "We open at 7 am every day."
    ));
    assert!(!days_fit("What time do you open on a Saturday?", week));
    assert!(!days_fit("What time do you open on a Saturday?", holidays));
    assert!(days_fit("Are you open on bank holidays?", holidays));
    assert!(days_fit("What time do you open during the week?", week));
    assert!(days_fit("What time do you open?", week));
    // A holiday named is a holiday too.
    let christmas = "We are closed all day on Christmas Day, Boxing Day and New Year's Day.";
    assert!(!days_fit(
        "What time does the pool shut on a Sunday?",
        christmas
    ));
    assert!(days_fit("Are you open on Boxing Day?", christmas));
    assert!(days_fit("What are your Christmas hours?", christmas));
}

#[test]
fn the_question_s_own_words_narrow_its_slot() {
    let q = "How many classes do I get a week on Off-Peak?";
    assert!(!narrowed_fits(
        q,
        slot(q),
        "The Off-Peak membership costs £19.99 a month."
    ));
    assert!(narrowed_fits(q, slot(q), "It includes 1 class per week."));
    let q = "How much is it to join on the off-peak plan, the joining fee I mean?";
    assert!(!narrowed_fits(
        q,
        slot(q),
        "The Off-Peak membership costs £19.99 a month."
    ));
    assert!(narrowed_fits(q, slot(q), "Its joining fee is £12."));
    let q = "What's the deposit on a medium unit?";
    assert!(!narrowed_fits(q, slot(q), "Medium, per month: £69.95."));
    assert!(narrowed_fits(q, slot(q), "Medium, deposit: £60."));
    let q = "When do you close on Sundays?";
    assert!(!narrowed_fits(q, slot(q), "Opens, sunday: 8 am."));
    assert!(narrowed_fits(q, slot(q), "Closes, sunday: 6 pm."));
    assert!(narrowed_fits(
        q,
        slot(q),
        "On Sundays we are open from 8 am to 6 pm."
    ));
    assert!(narrowed_fits(
        q,
        slot(q),
        "The office is closed on Sundays."
    ));
}

#[test]
fn a_comparison_is_answered_only_by_a_sentence_that_compares() {
    let q = "What's the cheapest membership you do?";
    assert!(!comparison_fits(q, "Monthly price, standard: £29.99."));
    assert!(comparison_fits(
        q,
        "Our cheapest membership is Off-Peak, at £19.99 a month."
    ));
    assert!(comparison_fits(
        "How much is Standard?",
        "Monthly price, standard: £29.99."
    ));
    // "On top of" adds; "top up" fills: neither compares.
    let extra = "Is the inflatable extra on top of the swim?";
    assert!(comparison_fits(
        extra,
        "The inflatable is £1.50 extra per child."
    ));
    assert!(comparison_fits(
        "How do I top up my card?",
        "Top up at reception."
    ));
    assert!(!comparison_fits(
        "Which is your top plan?",
        "Basic: £10 a month."
    ));
}

#[test]
fn a_time_before_or_after_an_event_answers_when() {
    let s = slot("When does check-in shut for cars?");
    assert_eq!(s.kind, Some(Kind::Clock));
    assert!(s.fits("Check-in closes 20 minutes before departure."));
    assert!(!s.fits("Check-in is at the front desk."));
}

#[test]
fn how_long_a_thing_lasts_is_not_how_long_it_takes() {
    let takes = "How long does the card take to come in the post?";
    let lasts = "How long is the card valid for?";
    let (t, l) = (slot(takes), slot(lasts));
    assert!(!narrowed_fits(
        takes,
        t,
        "Resident card, valid for: 3 years."
    ));
    assert!(narrowed_fits(takes, t, "We post the card within 14 days."));
    assert!(narrowed_fits(
        lasts,
        l,
        "Resident card, valid for: 3 years."
    ));
}

#[test]
fn an_allowance_is_not_a_price() {
    let s = slot("What do you charge per mile over the free miles?");
    assert!(!s.fits("Mileage over the free miles is still charged."));
    assert!(s.fits("Each mile over the free miles costs 45p."));
    assert!(slot("Is there a charge for padlocks?").fits("Padlocks are free."));
    // A share of the price is a price.
    let pay = slot("How much do I have to pay if I cancel now?");
    assert_eq!(pay.kind, Some(Kind::Price));
    assert!(pay.fits("Between 24 and 72 hours' notice: you pay half the lesson price."));
    assert!(pay.fits("Less than 24 hours' notice: you pay the full lesson price."));
    // A free period is what paying a year buys, not the year's price.
    let year = slot("How much is the plan if I pay for the whole year?");
    assert!(!year.fits("Paying for the year up front gets you one month free."));
}

#[test]
fn when_a_price_changes_is_not_a_price() {
    assert_eq!(slot("When do you normally put your prices up?").kind, None);
    assert_eq!(slot("How much is the fee?").kind, Some(Kind::Price));
}

#[test]
fn a_range_states_the_limit_asked_for() {
    let range = "Here is how they work: you can buy a voucher for any amount from £20 to £500.";
    assert!(comparison_fits(
        "What's the most I can put on one gift voucher?",
        range
    ));
    assert!(comparison_fits(
        "What's the smallest amount I can put on one?",
        range
    ));
    assert!(comparison_fits(
        "what's the maximum I can claim",
        "You can claim up to £5,000."
    ));
    // Comparing rows still needs a sentence that compares.
    assert!(!comparison_fits(
        "What's your cheapest plan?",
        "Basic: £9 a month."
    ));
    assert!(!comparison_fits(
        "What's the most you can carry?",
        "Each bag costs £5."
    ));
}

#[test]
fn a_rows_bracketed_nickname_names_it() {
    let label = "Riverside office (the Mill)";
    assert!(label_fits(
        "What time does the Mill open on a Saturday?",
        label
    ));
    assert!(label_fits("When does the Riverside office open?", label));
    assert!(!label_fits(
        "What time does the Northgate office open?",
        label
    ));
    // A bracket of bounds names nothing.
    assert!(!label_fits(
        "How much is it for over 60s?",
        "Adult (16 and over)"
    ));
}

#[test]
fn a_deadline_is_stated_by_by_until_or_a_notice() {
    let q = "What's the latest I can pay for a lesson before you give my slot away?";
    assert!(comparison_fits(
        q,
        "Pay-as-you-go lessons must be paid by 6pm on the day before the lesson."
    ));
    assert!(comparison_fits(
        "What's the earliest you can take me?",
        "Give us at least 2 days before your first lesson."
    ));
    assert!(!comparison_fits(q, "A single lesson costs £38."));
    // "Your latest offer" compares and is not a deadline.
    assert!(!comparison_fits(
        "What's your latest offer on lessons?",
        "Lessons must be paid by 6pm."
    ));
}

#[test]
fn counted_hours_with_a_fee_ask_for_the_fee() {
    let q = "When you refund unused block hours, what's the admin fee you take off?";
    assert_eq!(Slot::of(q).kind, Some(Kind::Price));
    assert_eq!(
        Slot::of("When do you put your prices up?").kind,
        None,
        "a time of year, not an amount"
    );
}

#[test]
fn a_figure_counted_in_another_unit_is_another_thing() {
    let q = "What does the bundle of five hours cost in an automatic?";
    assert!(!figures_fit(q, "Price, automatic, Fast Track 5-day: £705."));
    assert!(figures_fit(q, "Block of 5 hours, automatic: £195."));
    assert!(figures_fit(q, "Single lesson, automatic: £41."));
    assert!(!figures_fit(
        q,
        "Price, automatic, Fast Track 10-day: £1,360."
    ));
    assert!(figures_fit(
        "How long have I got to use the hours on the 10-day course?",
        "Fast Track 10-day, hours must be used within: 10 weekdays (2 weeks)."
    ));
}

#[test]
fn the_latest_moment_of_a_window_is_stated_by_the_window() {
    let q = "If I pick the afternoon slot, what's the latest the engineer could turn up?";
    assert!(comparison_fits(q, "Afternoon: 12 noon to 4pm."));
    assert!(comparison_fits(q, "Slots run 8am-12pm and 12:30-4:30pm."));
    assert!(!comparison_fits(
        q,
        "Our engineers carry common parts in their vans."
    ));
    assert!(!comparison_fits(
        "What's your cheapest plan?",
        "Boiler Basic: 9am to 5pm."
    ));
}

#[test]
fn a_reduction_is_not_the_price_of_the_thing() {
    let q = "Roughly how much is a new combi boiler fitted?";
    let s = "On Boiler Plus the contribution is £250 towards a new boiler.";
    assert!(!narrowed_fits(q, slot(q), s));
    assert!(narrowed_fits(
        q,
        slot(q),
        "A new combi boiler fitted costs £2,400."
    ));
    let s = "On Boiler Plus the contribution is £250 for boilers under 8 years old.";
    assert!(!narrowed_fits(q, slot(q), s));
    let q = "My mum's 72. Does she get any discount on a repair?";
    assert!(narrowed_fits(
        q,
        slot(q),
        "Customers aged 70 or over get 10% off labour."
    ));
}

#[test]
fn the_callout_asked_is_the_callout_fee() {
    let q = "It's gone eleven at night. What's your callout going to be?";
    assert!(!narrowed_fits(
        q,
        slot(q),
        "Night, each extra 30 minutes: £49."
    ));
    assert!(narrowed_fits(
        q,
        slot(q),
        "Night, callout fee (includes first hour): £149."
    ));
}

#[test]
fn a_cap_is_not_what_the_caller_pays() {
    let q = "I've got Landlord Cover. What do I pay each time you come out to a claim?";
    let cap = "Repair limit per claim, Landlord Cover: £1,200.";
    assert!(!narrowed_fits(q, slot(q), cap));
    assert!(narrowed_fits(
        q,
        slot(q),
        "Excess per callout, Landlord Cover: £60."
    ));
    let q = "What's the most you'll pay out on one claim with Landlord Cover?";
    assert!(narrowed_fits(q, slot(q), cap));
}

#[test]
fn a_row_counting_another_length_is_not_the_asked_one() {
    let single = "Lesson prices > Single lesson\nSingle lesson, length: 1 hour. Single lesson, automatic: £41.";
    let double = "Lesson prices > Double lesson\nDouble lesson, length: 2 hours. Double lesson, automatic: £80.";
    let q = "What do you charge for a two-hour lesson in an automatic?";
    assert!(!counts_fit(q, single));
    assert!(counts_fit(q, double));
    // A count beside other words is a rule, not the row's length.
    let notice = "Notice\nLess than 24 hours' notice, charge: the full lesson price.";
    assert!(counts_fit("Can I cancel a 2-hour lesson?", notice));
    assert!(counts_fit("How much is a lesson?", single));
    // Lengths are compared as lengths: 90 minutes is not one hour, 60 minutes is.
    let refresher = "Lesson prices > Refresher\nRefresher lesson, length: 90 minutes.";
    assert!(!counts_fit("How much is a one-hour lesson?", refresher));
    assert!(counts_fit("How much is a 90-minute lesson?", refresher));
    assert!(counts_fit("How much is a 1.5-hour lesson?", refresher));
}

#[test]
fn the_callers_own_acts_name_no_row() {
    // "Pay-as-you-go" puts "pay" among the names.
    let v = vocab(&[
        "pay",
        "whole",
        "gym",
        "active",
        "max",
        "membership",
        "junior",
    ]);
    let row = "Membership types\nActive Gym, Monthly (Direct Debit): £29.50.";
    assert!(names_fit(
        "How much is the gym membership if I pay monthly?",
        row,
        &v
    ));
    let annual = "Membership types\nActive Max, annual (paid upfront): £485.";
    assert!(names_fit(
        "Active Max but paying for the year in one go, how much?",
        annual,
        &v
    ));
    // Said as a thing, "pay" still names the row it is in.
    assert!(!names_fit("How much is a pay as you go swim?", row, &v));
    assert!(!names_fit(
        "How much is the junior gym membership?",
        row,
        &v
    ));
}

#[test]
fn a_closing_time_is_not_a_ranges_start() {
    let hours =
        &Ranges::of("Learner pool, monday–Friday: 9am–7:30pm. Learner pool, sunday: 9am–1pm.");
    let q = "What time does the learner pool shut on a Sunday?";
    assert!(!range_end_fits(
        q,
        "The learner pool shuts on a Sunday at 9am.",
        hours
    ));
    assert!(range_end_fits(q, "It closes at 1pm on Sundays.", hours));
    assert!(range_end_fits(q, "On Sundays it's open 9am to 1pm.", hours));
    let open = "When does the learner pool open on a Sunday?";
    assert!(!range_end_fits(open, "It opens at 1pm.", hours));
    assert!(range_end_fits(open, "It opens at 9am.", hours));
    // A question asking neither end passes.
    assert!(range_end_fits("What are the Sunday hours?", "9am.", hours));
}
