//! Flow files in, problems and runs out: the parser's and checker's messages, and the
//! interpreter in virtual time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::*;

fn problems(text: &str) -> Vec<Problem> {
    match parse(text) {
        Err(p) => p,
        Ok(flow) => check::check(&flow, &Known::default()),
    }
}

fn one_error(text: &str) -> Problem {
    let errors: Vec<Problem> = problems(text)
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    errors.into_iter().next().unwrap()
}

#[test]
fn the_demo_flow_is_clean() {
    let flow = parse(DEMO).unwrap();
    let known = Known {
        kbs: Some(["default".to_string()].into()),
        queues: Some(["support".to_string()].into()),
        ..Known::default()
    };
    assert_eq!(check::check(&flow, &known), Vec::new());
    assert!(serde_json::from_str::<serde_json::Value>(SCHEMA).is_ok());
}

#[test]
fn an_unknown_target_names_line_node_and_a_near_name() {
    let p = one_error(
        "flow: f\nstart: a\nnodes:\n  a:\n    say: hi\n    next: menu_1\n  menu-1:\n    hangup: true\n",
    );
    assert_eq!((p.line, p.node.as_deref()), (6, Some("a")));
    assert!(
        p.reason.contains("`menu_1`") && p.reason.contains("did you mean `menu-1`"),
        "{p}"
    );
}

#[test]
fn yaml_mistakes_name_their_line() {
    let p = one_error("flow: f\nstart: a\nnodes:\n  a:\n    say: \"unclosed\n    next: b\n");
    assert!(p.reason.contains("not valid YAML"), "{p}");
    let p = one_error(
        "flow: f\nstart: a\nnodes:\n  a:\n    say: hi\n    next: b\n  a:\n    hangup: true\n",
    );
    assert_eq!(p.line, 7);
    assert!(p.reason.contains("written twice (first on line 4)"), "{p}");
    let p = one_error("flow: f\nstart: a\nnodes:\n  a: &x\n    hangup: true\n  b: *x\n");
    assert!(p.reason.contains("anchors"), "{p}");
    // An alias with no anchor, a tag, a list at the top: refused, no panic.
    for text in [
        "b: *nothing\n",
        "flow: !!binary aGk=\n",
        "- a\n- b\n",
        "",
        "flow",
    ] {
        assert!(parse(text).is_err(), "{text:?}");
    }
}

#[test]
fn a_node_does_one_thing_and_its_keys_are_known() {
    let p = one_error("flow: f\nstart: a\nnodes:\n  a:\n    say: hi\n    hangup: true\n");
    assert!(p.reason.contains("does one thing"), "{p}");
    let p = one_error(
        "flow: f\nstart: a\nnodes:\n  a:\n    sya: hi\n    next: b\n  b:\n    hangup: true\n",
    );
    assert_eq!(p.line, 5);
    assert!(
        p.reason
            .contains("unknown key `sya` in a node (did you mean `say`?)"),
        "{p}"
    );
    let p = one_error("flow: f\nstart: a\nnodes:\n  a:\n    say: hi\n");
    assert!(p.reason.contains("nowhere to go"), "{p}");
    let p = one_error(
        "flow: f\nstart: a\nnodes:\n  a:\n    say: hi\n    on_error: a\n    next: b\n  b:\n    hangup: true\n",
    );
    assert!(p.reason.contains("belongs to a `webhook`"), "{p}");
}

#[test]
fn settings_are_checked_with_their_reason() {
    let base = "flow: f\nstart: a\nnodes:\n  b:\n    hangup: true\n  a:\n";
    let cases = [
        (
            "    collect: {say: hi, digits: {min: 9, max: 4}, into: x}\n    next: b\n",
            "1 ≤ min ≤ max",
        ),
        (
            "    collect: {say: hi, pattern: \"[0-9\", into: x}\n    next: b\n",
            "not a regular expression",
        ),
        (
            "    collect: {say: hi, checksum: crc, into: x}\n    next: b\n",
            "unknown checksum",
        ),
        (
            "    webhook: {url: \"ftp://x\"}\n    next: b\n    on_error: b\n",
            "must start with http",
        ),
        (
            "    webhook: {url: \"http://x/{nothing}\"}\n    next: b\n    on_error: b\n",
            "`{nothing}` is never set",
        ),
        ("    transfer: {uri: \"mailto:x\"}\n", "sip:, sips: or tel:"),
        (
            "    transfer: {queue: q, uri: \"sip:x@y\"}\n",
            "one of them",
        ),
        (
            "    menu: {say: hi, options: {\"1\": b}, timeout_secs: 600}\n",
            "from 0 to 60",
        ),
        ("    menu: {options: {\"1\": b}}\n", "needs a prompt"),
        (
            "    condition:\n      - if: {open: {tz: Europe/Lndon, hours: daily 09:00-17:00}}\n        next: b\n    else: b\n",
            "unknown time zone",
        ),
        (
            "    condition:\n      - if: {open: {tz: UTC, hours: daily 09:00-17:00, holidays: uk}}\n        next: b\n    else: b\n",
            "no holiday list `uk`",
        ),
        (
            "    condition:\n      - if: {weather: sunny}\n        next: b\n",
            "unknown test `weather`",
        ),
        (
            "    say: \"Your order {order}\"\n    next: b\n",
            "`{order}` is never set",
        ),
    ];
    for (node, want) in cases {
        let text = format!("{base}{node}");
        let all = problems(&text);
        assert!(
            all.iter()
                .any(|p| p.severity == Severity::Error && p.reason.contains(want)),
            "{node}: wanted {want:?}, got {all:#?}"
        );
        assert!(all.iter().all(|p| p.line >= 6), "{node}: {all:#?}");
    }
}

#[test]
fn unreachable_nodes_warn_and_loops_without_input_are_errors() {
    let text = "flow: f\nstart: a\nnodes:\n  a:\n    say: hi\n    next: b\n  b:\n    set: {x: \"1\"}\n    next: a\n  lonely:\n    hangup: true\n";
    let all = problems(text);
    let lonely = all
        .iter()
        .find(|p| p.node.as_deref() == Some("lonely"))
        .unwrap();
    assert_eq!(lonely.severity, Severity::Warning);
    let spin = all
        .iter()
        .find(|p| p.reason.contains("loop without caller input"))
        .unwrap();
    assert!(spin.reason.contains("a → b → a"), "{spin}");
    // A menu in the loop is a wait for the caller: no error.
    let text = "flow: f\nstart: a\nnodes:\n  a:\n    say: hi\n    next: m\n  m:\n    menu: {say: pick, options: {\"1\": a, \"2\": bye}}\n  bye:\n    hangup: true\n";
    assert_eq!(problems(text), Vec::new());
}

#[test]
fn unknown_queues_knowledge_and_prompt_files_are_named() {
    let text = "flow: f\nstart: a\nnodes:\n  a:\n    play: prompts/nope.wav\n    next: b\n  b:\n    agent: {kb: sales}\n    on_handoff: c\n  c:\n    transfer: {queue: billing}\n";
    let flow = parse(text).unwrap();
    let known = Known {
        kbs: Some(["default".to_string()].into()),
        queues: Some(["support".to_string()].into()),
        flows: None,
        prompt_dir: Some(std::env::temp_dir()),
    };
    let all = check::check(&flow, &known);
    let reasons: Vec<&str> = all.iter().map(|p| p.reason.as_str()).collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("prompt file `prompts/nope.wav` not found")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("no knowledge base `sales` (known: default)")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("no queue `billing` (known: support)")),
        "{reasons:?}"
    );
    let escape =
        parse("flow: f\nstart: a\nnodes:\n  a:\n    play: ../../etc/passwd\n    next: a\n")
            .unwrap();
    assert!(
        check::check(&escape, &Known::default())
            .iter()
            .any(|p| p.reason.contains("inside the flow's directory"))
    );
}

// --- the interpreter, in virtual time ---

struct Run {
    run: FlowRun,
    now: Instant,
}

impl Run {
    fn new(text: &str, caller: &str, wall: &str) -> Run {
        let flow = parse(text).unwrap();
        let name = flow.name.clone();
        let set = Arc::new(FlowSet::new([flow]));
        let now = Instant::now();
        let facts = CallFacts {
            caller: Some(caller.into()),
            ..CallFacts::default()
        };
        let run = FlowRun::start(set, &name, &facts, now, wall.parse().unwrap()).unwrap();
        Run { run, now }
    }

    fn demo(wall: &str) -> Run {
        Run::new(DEMO, "+441170000000", wall)
    }

    fn actions(&mut self) -> Vec<Action> {
        std::iter::from_fn(|| self.run.poll_action()).collect()
    }

    fn says(&mut self) -> Vec<String> {
        self.actions()
            .into_iter()
            .filter_map(|a| match a {
                Action::Say(s) => Some(s),
                _ => None,
            })
            .collect()
    }

    fn give(&mut self, input: Input) -> Vec<Action> {
        self.run.handle(self.now, input);
        self.actions()
    }

    fn wait(&mut self, secs: u64) {
        self.now += Duration::from_secs(secs);
        if self.run.poll_timeout().is_some_and(|d| d <= self.now) {
            self.run.handle_timeout(self.now);
        }
    }
}

const OPEN_DAY: &str = "2026-12-04T10:00:00Z";

#[test]
fn a_question_at_the_menu_is_the_agents_first_turn() {
    let mut r = Run::demo(OPEN_DAY);
    assert_eq!(r.says(), ["Thanks for calling Example Shop."]);
    let a = r.give(Input::PromptDone);
    assert!(a.contains(&Action::Entered("menu".into())), "{a:?}");
    assert!(a.contains(&Action::Listen {
        digits: true,
        speech: true
    }));
    // The caller speaks over the menu's prompt.
    let a = r.give(Input::Speech("Do you ship to Canada?".into()));
    assert_eq!(a[0], Action::StopSpeaking);
    assert!(
        a.contains(&Action::Agent {
            kb: "default".into(),
            max_turns: Some(10),
            first_turn: Some("Do you ship to Canada?".into()),
            greet: false,
        }),
        "{a:?}"
    );
    let a = r.give(Input::AgentEnded(AgentEnd::Handoff(
        "asked_for_human".into(),
    )));
    assert_eq!(r.run.var("handoff"), Some("asked_for_human"));
    assert!(a.iter().any(|x| matches!(x, Action::Transfer(model::TransferTo::Queue { name, priority: 5, .. }) if name == "support")), "{a:?}");
    // Nobody to take it: the caller may leave a message.
    let a = r.give(Input::TransferFailed);
    assert!(a.contains(&Action::Entered("nobody".into())), "{a:?}");
}

#[test]
fn a_question_that_names_an_option_is_still_the_next_nodes_first_turn() {
    let mut r = Run::demo(OPEN_DAY);
    r.actions();
    r.give(Input::PromptDone);
    let a = r.give(Input::Speech(
        "How many days do I have to return an item?".into(),
    ));
    assert!(
        a.contains(&Action::Entered("returns_agent".into())),
        "{a:?}"
    );
    assert!(
        a.contains(&Action::Agent {
            kb: "default".into(),
            max_turns: Some(10),
            first_turn: Some("How many days do I have to return an item?".into()),
            greet: false,
        }),
        "{a:?}"
    );
    // A number said with the choice is not asked for again.
    let mut r = Run::demo(OPEN_DAY);
    r.actions();
    r.give(Input::PromptDone);
    let a = r.give(Input::Speech(
        "where is my order one oh four two three three".into(),
    ));
    assert!(
        !a.contains(&Action::Say("Please key or say your order number.".into())),
        "{a:?}"
    );
    assert!(
        a.iter()
            .any(|x| matches!(x, Action::Webhook { url, .. } if url == "/demo/orders/104233")),
        "{a:?}"
    );
    // Just the option's word: the agent starts without a first turn, and a later agent
    // node does not get an old utterance.
    let mut r = Run::demo(OPEN_DAY);
    r.actions();
    r.give(Input::PromptDone);
    let a = r.give(Input::Speech("returns".into()));
    assert!(
        a.contains(&Action::Say(
            "What would you like to know about returns?".into()
        )),
        "{a:?}"
    );
    let a = r.give(Input::PromptDone);
    assert!(
        a.iter().any(|x| matches!(
            x,
            Action::Agent {
                first_turn: None,
                ..
            }
        )),
        "{a:?}"
    );
}

#[test]
fn keyed_and_spoken_choices_and_an_order_number_reach_the_webhook() {
    let mut r = Run::demo(OPEN_DAY);
    r.actions();
    r.give(Input::PromptDone);
    let a = r.give(Input::Speech(
        "um, I'd like to ask about my orders please".into(),
    ));
    assert!(a.contains(&Action::Entered("orders".into())), "{a:?}");
    r.give(Input::PromptDone);
    for d in "1042".chars() {
        r.give(Input::Digit(d));
    }
    // Four digits and a pause: too short, asked again.
    r.wait(5);
    assert_eq!(
        r.says(),
        [
            "That doesn't sound like an order number.",
            "Please key or say your order number."
        ]
    );
    r.give(Input::PromptDone);
    let a = r.give(Input::Speech("it's one oh four two three three".into()));
    let hook = a.iter().find_map(|x| match x {
        Action::Webhook { url, .. } => Some(url.clone()),
        _ => None,
    });
    assert_eq!(hook.as_deref(), Some("/demo/orders/104233"));
    let body = serde_json::json!({"status": "shipped", "carrier": "DHL", "expected_delivery": "Friday", "note": ""});
    let a = r.give(Input::Webhook(Ok(WebhookReply { status: 200, body })));
    assert!(
        a.contains(&Action::Say(
            "Order 104233 is shipped. It travels with DHL. The expected delivery date is Friday. "
                .into()
        )),
        "{a:?}"
    );
}

#[test]
fn an_unknown_order_and_a_dead_webhook_take_their_branches() {
    let mut r = Run::demo(OPEN_DAY);
    r.actions();
    r.give(Input::PromptDone);
    r.give(Input::Digit('1'));
    r.give(Input::PromptDone);
    for d in "999999#".chars() {
        r.give(Input::Digit(d));
    }
    let a = r.give(Input::Webhook(Ok(WebhookReply {
        status: 404,
        body: serde_json::Value::Null,
    })));
    assert!(
        a.contains(&Action::Say(
            "I couldn't find an order with the number 999999.".into()
        )),
        "{a:?}"
    );
    let a = r.give(Input::PromptDone);
    assert!(a.contains(&Action::Entered("orders".into())));
    r.give(Input::PromptDone);
    for d in "123456#".chars() {
        r.give(Input::Digit(d));
    }
    // No answer within the webhook's time: the flow's own backstop takes on_error.
    r.wait(3);
    assert_eq!(r.run.node(), "person");
}

#[test]
fn silence_at_the_menu_retries_then_goes_on() {
    let mut r = Run::demo(OPEN_DAY);
    r.actions();
    r.give(Input::PromptDone);
    r.give(Input::PromptDone);
    r.wait(4);
    assert_eq!(r.run.node(), "menu");
    r.wait(1);
    assert_eq!(r.says()[0], "Sorry, I didn't hear anything.");
    r.give(Input::PromptDone);
    r.wait(5);
    assert_eq!(r.run.node(), "assistant");
    // A key that is no option: asked again, twice, then a person.
    let mut r = Run::demo(OPEN_DAY);
    r.actions();
    r.give(Input::PromptDone);
    for _ in 0..3 {
        r.give(Input::Digit('7'));
        r.give(Input::PromptDone);
    }
    assert_eq!(r.run.node(), "person");
}

#[test]
fn closed_days_go_to_voicemail_and_it_records_then_hangs_up() {
    let mut r = Run::demo("2026-12-25T10:00:00Z");
    r.actions();
    let a = r.give(Input::PromptDone);
    assert!(a.contains(&Action::Entered("closed".into())), "{a:?}");
    let a = r.give(Input::PromptDone);
    assert_eq!(
        a,
        [Action::Record {
            max: Duration::from_secs(120)
        }]
    );
    assert_eq!(r.give(Input::RecordingDone), [Action::Hangup]);
    assert!(r.run.ended());
    assert!(r.give(Input::Digit('1')).is_empty());
}

#[test]
fn conditions_subflows_and_checksums() {
    let main = "flow: main\nstart: vip\nnodes:\n  vip:\n    condition:\n      - if: {caller_in: [\"+44 117 000 0000\"]}\n        next: card\n    else: bye\n  card:\n    subflow: card_check\n    next: done\n  done:\n    say: \"Card {card} accepted.\"\n    next: bye\n  bye:\n    hangup: true\n";
    let sub = "flow: card_check\nstart: ask\nnodes:\n  ask:\n    collect: {say: Card number?, digits: {min: 16, max: 16}, checksum: luhn, into: card, speech: false}\n    next: back\n  back:\n    return: true\n";
    let set = Arc::new(FlowSet::new([parse(main).unwrap(), parse(sub).unwrap()]));
    let now = Instant::now();
    let facts = CallFacts {
        caller: Some("+441170000000".into()),
        ..CallFacts::default()
    };
    let mut run = FlowRun::start(set, "main", &facts, now, OPEN_DAY.parse().unwrap()).unwrap();
    assert_eq!((run.flow_name(), run.node()), ("card_check", "ask"));
    run.handle(now, Input::PromptDone);
    for d in "4111111111111112".chars() {
        run.handle(now, Input::Digit(d));
    }
    assert_eq!(run.var("card"), None, "fails Luhn");
    run.handle(now, Input::PromptDone);
    for d in "4111111111111111".chars() {
        run.handle(now, Input::Digit(d));
    }
    assert_eq!((run.flow_name(), run.node()), ("main", "done"));
    assert!(luhn("79927398713") && !luhn("79927398710"));
}

#[test]
fn a_loop_the_checker_would_refuse_ends_the_call_instead_of_spinning() {
    let text = "flow: f\nstart: a\nnodes:\n  a:\n    set: {x: \"1\"}\n    next: b\n  b:\n    set: {y: \"2\"}\n    next: a\n";
    let mut r = Run::new(text, "1", OPEN_DAY);
    let a = r.actions();
    assert_eq!(a.last(), Some(&Action::Hangup));
    assert!(a.len() < 100);
}

#[test]
fn the_bundled_agent_transcribe_and_keypad_flows_are_clean() {
    for text in [AGENT, TRANSCRIBE, KEYPAD] {
        let flow = parse(text).unwrap();
        let known = Known {
            queues: Some(["support".to_string()].into()),
            kbs: Some(["default".to_string()].into()),
            ..Known::default()
        };
        let problems = check::check(&flow, &known);
        assert!(problems.is_empty(), "{}: {problems:?}", flow.name);
    }
    let mut r = Run::new(AGENT, "1", OPEN_DAY);
    let a = r.actions();
    assert!(
        a.contains(&Action::Agent {
            kb: "default".into(),
            max_turns: None,
            first_turn: None,
            greet: true,
        }),
        "{a:?}"
    );
    assert_eq!(
        model::Needs::of(&parse(TRANSCRIBE).unwrap()),
        model::Needs {
            agent: false,
            speech: true,
            voice: false
        }
    );
}

#[test]
fn a_transcription_ends_on_hash_or_its_time_limit_then_goes_on() {
    let text = "flow: t\nstart: listen\nnodes:\n  listen:\n    transcribe: {max_secs: 30}\n    next: bye\n  bye:\n    hangup: {say: Thanks.}\n";
    let mut r = Run::new(text, "1", OPEN_DAY);
    let a = r.actions();
    assert!(a.contains(&Action::Transcribe {
        max: Duration::from_secs(30)
    }));
    assert!(a.contains(&Action::Listen {
        digits: true,
        speech: false
    }));
    // Words are kept by the call, not acted on; other keys do nothing.
    assert!(r.give(Input::Speech("hello there".into())).is_empty());
    assert!(r.give(Input::Digit('5')).is_empty());
    let a = r.give(Input::Digit('#'));
    assert_eq!(a[0], Action::StopListening);
    assert!(a.contains(&Action::Entered("bye".into())), "{a:?}");
    // Without `#`, the time limit ends it; without `next`, the call ends.
    let mut r = Run::new(TRANSCRIBE, "1", OPEN_DAY);
    r.actions();
    r.wait(3599);
    assert!(r.actions().is_empty());
    r.wait(1);
    assert_eq!(r.actions(), [Action::StopListening, Action::Hangup]);
    // Its settings are checked.
    let bad =
        one_error("flow: t\nstart: l\nnodes:\n  l:\n    transcribe: {max_secs: 0, say: hi}\n");
    assert!(bad.reason.contains("`say`"), "{bad:?}");
    let zero = one_error(
        "flow: a\nstart: a\nnodes:\n  a:\n    agent: {max_turns: 0}\n    on_handoff: b\n  b:\n    hangup: true\n",
    );
    assert_eq!(zero.line, 5);
    assert!(zero.reason.contains("at least 1"), "{zero:?}");
}

#[test]
fn a_hostile_webhook_answer_is_bounded_and_never_expanded_again() {
    let text = "flow: w\nstart: hook\nnodes:\n  hook:\n    webhook: {url: \"https://x.example/{caller}\", into: r}\n    next: tell\n    on_error: bye\n  tell:\n    say: \"Note: {r.a_note}\"\n    next: bye\n  bye:\n    hangup: true\n";
    let mut r = Run::new(text, "+44 117 000 0000", OPEN_DAY);
    let a = r.actions();
    // The caller's number is percent-encoded into the URL.
    assert!(
        a.iter().any(|x| matches!(x, Action::Webhook { url, .. } if url == "https://x.example/%2B44%20117%20000%200000")),
        "{a:?}"
    );
    let mut fields = serde_json::Map::new();
    for i in 0..1000 {
        fields.insert(format!("f{i:04}"), "y".repeat(10_000).into());
    }
    fields.insert("a_note".into(), "{caller} {r.f0001}".into());
    fields.insert("bad name{x}".into(), "z".into());
    let body = serde_json::Value::Object(fields);
    let a = r.give(Input::Webhook(Ok(WebhookReply { status: 200, body })));
    let kept = (0..1000)
        .filter(|i| r.run.var(&format!("r.f{i:04}")).is_some())
        .count();
    assert!(kept <= 64, "{kept} fields kept");
    assert!(r.run.var("r").unwrap().len() <= 1024);
    assert!(r.run.var("r.f0000").unwrap().len() <= 1024);
    // A value is said as it came: a `{name}` in it is text, never a variable.
    let said: Vec<&Action> = a.iter().filter(|x| matches!(x, Action::Say(_))).collect();
    assert_eq!(
        said,
        [&Action::Say("Note: {caller} {r.f0001}".into())],
        "{a:?}"
    );
}

#[test]
fn the_keypad_flow_reads_the_keys_back_with_built_in_prompts_and_records() {
    let flow = parse(KEYPAD).unwrap();
    assert!(flow.record);
    assert_eq!(model::Needs::of(&flow), model::Needs::default(), "no model");
    let play = |n: &str| Action::Play(format!("builtin:{n}"));
    let mut r = Run::new(KEYPAD, "1", OPEN_DAY);
    assert!(r.actions().contains(&play("greeting")));
    r.give(Input::PromptDone);
    for k in ['4', '*', '2'] {
        r.give(Input::Digit(k));
    }
    let a = r.give(Input::Digit('#'));
    assert!(a.contains(&play("you-entered")), "{a:?}");
    let a = r.give(Input::PromptDone);
    assert_eq!(
        a[1..],
        [play("digit-4"), play("star"), play("digit-2")],
        "{a:?}"
    );
    let a = r.give(Input::PromptDone);
    assert!(a.contains(&play("goodbye")), "{a:?}");
    assert_eq!(r.give(Input::PromptDone), [Action::Hangup]);
    // No key at all: goodbye after the timeout.
    let mut r = Run::new(KEYPAD, "1", OPEN_DAY);
    r.actions();
    r.give(Input::PromptDone);
    r.wait(10);
    assert!(r.actions().contains(&play("goodbye")));
    // A spell of nothing is a prompt done at once (an empty Play), never a stuck call.
    let text = "flow: s\nstart: a\nnodes:\n  a:\n    spell: \"{nothing}\"\n    next: b\n  b:\n    hangup: true\n";
    let mut r = Run::new(text, "1", OPEN_DAY);
    assert!(r.actions().contains(&Action::Play(String::new())));
    assert_eq!(r.give(Input::PromptDone)[1..], [Action::Hangup]);
    // Unknown built-ins are named.
    let bad = one_error(
        "flow: s\nstart: a\nnodes:\n  a:\n    play: builtin:welcome\n    next: b\n  b:\n    hangup: true\n",
    );
    assert!(
        bad.reason.contains("no built-in prompt `welcome`"),
        "{bad:?}"
    );
}

#[test]
fn a_transfer_uri_cannot_carry_a_header_injection() {
    let bad = one_error(
        "flow: t\nstart: a\nnodes:\n  a:\n    transfer: {uri: \"sip:desk@x.example>\\r\\nX-Evil: 1\"}\n",
    );
    assert_eq!(bad.line, 5);
    assert!(bad.reason.contains("control characters"), "{bad:?}");
    assert!(problems("flow: t\nstart: a\nnodes:\n  a:\n    transfer: {uri: \"sip:desk@x.example;transport=tcp\"}\n")
        .iter()
        .all(|p| p.severity != Severity::Error));
}

#[test]
fn a_collect_pattern_is_compiled_once_and_holds_the_whole_value() {
    let text = "flow: p\nstart: ask\nnodes:\n  ask:\n    collect: {say: Number?, digits: {min: 5, max: 5}, pattern: \"1[0-9]+\", into: n, speech: false, invalid: {retries: 0, then: bye}}\n    next: ok\n  ok:\n    hangup: true\n  bye:\n    hangup: true\n";
    for (keys, node) in [("10423", "ok"), ("21042", "bye")] {
        let mut r = Run::new(text, "1", OPEN_DAY);
        r.give(Input::PromptDone);
        for k in keys.chars() {
            r.give(Input::Digit(k));
        }
        assert_eq!(r.run.node(), node, "{keys}");
    }
}

const MOODY: &str = "flow: moody
start: ask
nodes:
  ask:
    menu:
      say: \"Say sales.\"
      options: {sales: calm}
      other: check
  check:
    condition:
      - if: {emotion: [angry, frustrated]}
        next: sorry
      - if: {emotion: sad}
        next: gentle
    else: calm
  sorry:
    say: \"Sorry about that.\"
    next: bye
  gentle:
    say: \"Take your time.\"
    next: bye
  calm:
    say: \"Thank you.\"
    next: bye
  bye:
    hangup: {}
";

#[test]
fn a_condition_branches_on_how_the_caller_sounded() {
    for (label, want) in [
        ("angry", "Sorry about that."),
        ("frustrated", "Sorry about that."),
        ("sad", "Take your time."),
        ("neutral", "Thank you."),
    ] {
        let mut r = Run::new(MOODY, "+441170000000", OPEN_DAY);
        r.give(Input::PromptDone);
        r.run.set_emotion(label, "steady");
        let a = r.give(Input::Speech("my parcel never came".into()));
        let said: Vec<&Action> = a.iter().filter(|x| matches!(x, Action::Say(_))).collect();
        assert_eq!(said, [&Action::Say(want.into())], "{label}: {a:?}");
        assert_eq!(r.run.var("emotion"), Some(label));
        assert_eq!(r.run.var("emotion_trend"), Some("steady"));
    }
}

#[test]
fn an_emotion_test_names_only_known_labels() {
    let text = MOODY.replace("{emotion: sad}", "{emotion: furious}");
    let p = one_error(&text);
    assert_eq!(p.line, 13, "{p:?}");
    assert!(p.reason.contains("`furious` is none"), "{p:?}");
}

#[test]
fn crisis_words_outside_the_agent_go_to_on_crisis_at_once() {
    let mut r = Run::demo(OPEN_DAY);
    r.give(Input::PromptDone);
    assert_eq!(r.run.node(), "menu");
    assert!(r.run.crisis(r.now, "indirect"));
    let a = r.actions();
    assert!(a.contains(&Action::Entered("crisis".into())), "{a:?}");
    assert!(a.iter().any(|x| matches!(x, Action::Transfer(model::TransferTo::Queue { name, priority: 9, .. }) if name == "support")), "{a:?}");
    assert_eq!(r.run.var("handoff"), Some("crisis"));
    assert_eq!(r.run.var("crisis"), Some("indirect"));
    // A flow without `on_crisis` goes on where it was.
    let mut m = Run::new(MOODY, "+441170000000", OPEN_DAY);
    m.give(Input::PromptDone);
    assert!(!m.run.crisis(m.now, "direct"));
    assert_eq!(m.run.node(), "ask");
}

#[test]
fn on_crisis_must_name_a_node() {
    let text = MOODY.replace("start: ask\n", "start: ask\non_crisis: helpline\n");
    let p = one_error(&text);
    assert_eq!(p.line, 3, "{p:?}");
    assert!(
        p.reason.contains("`on_crisis: helpline` names no node"),
        "{p:?}"
    );
}
