//! The `-F` formatter and the other layouts on a typical message: the cost per message of
//! turning a received message into output bytes (the buffer is reused, as in `mq sub`).

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mq::output::json;
use mq::output::time::Stamp;
use mq::output::Template;
use mq::session::{Message, Properties, Qos};
use std::hint::black_box;

fn message() -> Message {
    Message {
        topic: "sensors/building-1/floor-2/temperature".into(),
        payload: Bytes::from(vec![b'x'; 99]),
        qos: Qos::AtLeastOnce,
        retain: false,
        pkid: 42,
        properties: Some(Properties {
            content_type: Some("text/plain".into()),
            user_properties: vec![("unit".into(), "C".into())],
            ..Properties::default()
        }),
    }
}

fn formats(c: &mut Criterion) {
    let m = message();
    let now = Stamp::now(false);
    let mut g = c.benchmark_group("render");
    g.throughput(Throughput::Elements(1));
    for (name, fmt) in [
        ("topic_payload", "%t %p"),
        ("widths", "[%-40t] %5l %q %r %08m %10.4C"),
        ("hex", "%t %x"),
        ("time", "@Y-@m-@dT@H:@M:@S.@N %I %U %t"),
        ("properties", "%C %P %E %R"),
        ("json_j", "%j"),
    ] {
        let t = Template::parse(fmt).expect("a valid template");
        let mut out = Vec::with_capacity(4096);
        g.bench_function(name, |b| {
            b.iter(|| {
                out.clear();
                t.render(&mut out, black_box(&m), Some(&now), false);
                black_box(out.len())
            })
        });
    }
    // As `mq sub` runs it: the clock is read and broken down in local time per message.
    let t = Template::parse("@H:@M:@S.@N %t %p").expect("a valid template");
    let mut out = Vec::with_capacity(4096);
    g.bench_function("time_with_clock", |b| {
        b.iter(|| {
            out.clear();
            t.render(&mut out, black_box(&m), None, false);
            black_box(out.len())
        })
    });
    let mut out = Vec::with_capacity(4096);
    g.bench_function("ndjson", |b| {
        b.iter(|| {
            out.clear();
            json::record(&mut out, black_box(&m), &now, false, false);
            black_box(out.len())
        })
    });
    g.bench_function("parse_template", |b| {
        b.iter(|| Template::parse(black_box("%t %p [%-20.10t] @H:@M:@S %j")).map(|_| ()))
    });
    g.finish();
}

criterion_group!(benches, formats);
criterion_main!(benches);
