//! The `-F` formatter allocates nothing per message beyond the output buffer: a counting
//! allocator watches this thread while templates render into a buffer that is already big
//! enough.

use bytes::Bytes;
use mq::output::time::Stamp;
use mq::output::{json, Template};
use mq::session::{Message, Properties, Qos};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: every call is forwarded unchanged to the system allocator; counting has no effect
// on the memory handed out.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(|c| c.get())
}

#[test]
fn rendering_allocates_nothing_beyond_the_output_buffer() {
    let m = Message {
        topic: "sensors/kitchen/temp".into(),
        payload: Bytes::from_static(b"{\"t\":21, \"ok\":true}\0\x01"),
        qos: Qos::AtLeastOnce,
        retain: true,
        pkid: 9,
        properties: Some(Properties {
            content_type: Some("application/json".into()),
            response_topic: Some("r/t".into()),
            correlation_data: Some(Bytes::from_static(b"c\xff")),
            user_properties: vec![("a".into(), "b".into()), ("a".into(), "c".into())],
            message_expiry_interval: Some(60),
            payload_format_indicator: Some(0),
            subscription_identifiers: vec![3],
            topic_alias: None,
        }),
    };
    let templates = [
        "%t %p %x %X %l %m %q %r %%",
        "[%-30t][%030p][%.3t][%-10l][%08m][%5q]",
        "%I [%30.10I] %U @Y-@m-@d @H:@M:@S.@N @@ @a @b",
        "%A %C %D %E %F %P %R %S [%10.4C][%-8E][%05S][%5A]",
        r"\\ \0 \a \e \n \r \t \v",
        "%j",
    ];
    let parsed: Vec<Template> = templates
        .iter()
        .map(|t| Template::parse(t).expect("a valid template"))
        .collect();
    let stamp = Stamp::now(false);
    let mut out = Vec::with_capacity(64 * 1024);
    // Warm up: libc may load time-zone data on first use.
    for t in &parsed {
        t.render(&mut out, &m, None, false);
    }
    json::record(&mut out, &m, &stamp, false, false);
    out.clear();

    // The counter works.
    let before = allocations();
    drop(std::hint::black_box(Box::new(1u64)));
    assert_eq!(allocations() - before, 1);

    let before = allocations();
    for _ in 0..100 {
        for t in &parsed {
            t.render(&mut out, &m, Some(&stamp), false);
            t.render(&mut out, &m, None, true);
            out.clear();
        }
        json::record(&mut out, &m, &stamp, false, true);
        out.clear();
    }
    assert_eq!(allocations() - before, 0, "allocations while rendering");
}
