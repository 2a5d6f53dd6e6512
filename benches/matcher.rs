//! `mq sub --where/--grep/--assert`: the cost per message of deciding whether a typical
//! ~100-byte JSON reading matches (payload parsed, variables bound, expression run).

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mq::matcher::{Conditions, Verdict};
use mq::session::{Message, Properties, Qos};
use std::hint::black_box;

fn message(properties: Option<Properties>) -> Message {
    let payload =
        r#"{"sensor":"building-1/floor-2/t3","temp":31.5,"humidity":48,"battery":0.87,"ok":true}"#;
    Message {
        topic: "sensors/building-1/floor-2/temperature".into(),
        payload: Bytes::from_static(payload.as_bytes()),
        qos: Qos::AtLeastOnce,
        retain: false,
        pkid: 42,
        properties,
    }
}

fn conditions(c: &mut Criterion) {
    let plain = message(None);
    let with_props = message(Some(Properties {
        content_type: Some("application/json".into()),
        user_properties: vec![("site".into(), "paris".into())],
        ..Properties::default()
    }));
    let mut g = c.benchmark_group("conditions");
    g.throughput(Throughput::Elements(1));
    for (name, select, grep, assert, m) in [
        ("where_temp_gt_30", Some(".temp > 30"), None, None, &plain),
        ("where_no_match", Some(".temp > 40"), None, None, &plain),
        (
            "where_and_assert",
            Some(r#".sensor | startswith("building-1/")"#),
            None,
            Some(".temp >= 0 and .temp <= 50"),
            &plain,
        ),
        (
            "where_topic",
            Some(r#"$topic | endswith("/temperature")"#),
            None,
            None,
            &plain,
        ),
        (
            "where_props",
            Some(r#"$props.user_properties | any(. == ["site", "paris"])"#),
            None,
            None,
            &with_props,
        ),
        ("grep", None, Some(r#""temp":3\d"#), None, &plain),
    ] {
        let cond = Conditions::compile(select, grep, assert).expect("valid conditions");
        // Every case matches but the one named so: the bench measures what it says.
        let pass = cond.check(m) == Verdict::Pass;
        assert_eq!(pass, name != "where_no_match", "{name}");
        g.bench_function(name, |b| b.iter(|| black_box(cond.check(black_box(m)))));
    }
    g.finish();
}

criterion_group!(benches, conditions);
criterion_main!(benches);
