use super::*;

fn saver(dir: &Path) -> Saver {
    saver_with(dir, false)
}

fn saver_with(dir: &Path, overwrite: bool) -> Saver {
    Saver::new(
        dir,
        SaveOptions {
            overwrite,
            max_size: 1 << 20,
            timeout: Duration::from_secs(60),
        },
    )
    .unwrap()
}

/// The frames a sender makes of `data` in `chunk`-byte pieces.
fn frames(id: u8, name: &str, data: &[u8], chunk: u32) -> Vec<Vec<u8>> {
    let count = frame::frame_count(data.len() as u64, chunk) as u32;
    let sha: [u8; 32] = Sha256::digest(data).into();
    (0..count)
        .map(|seq| {
            let start = seq as usize * chunk as usize;
            let end = (start + chunk as usize).min(data.len());
            Header {
                id: [id; 16],
                seq,
                count,
                size: data.len() as u64,
                chunk_size: chunk,
                name: name.into(),
                content_type: String::new(),
                sha256: (seq + 1 == count).then_some(sha),
            }
            .frame(&data[start..end])
        })
        .collect()
}

fn feed(s: &mut Saver, topic: &str, frames: &[Vec<u8>]) -> Vec<Outcome> {
    frames
        .iter()
        .flat_map(|f| s.accept(topic, f, Instant::now()))
        .collect()
}

/// What DIR holds, the saver's parts directory left out.
fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with(files::PARTS_PREFIX))
        .collect();
    v.sort();
    v
}

/// Files in progress.
fn parts(s: &Saver) -> usize {
    std::fs::read_dir(s.parts.path()).unwrap().count()
}

fn data(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 31 % 251) as u8).collect()
}

#[test]
fn in_order_out_of_order_and_duplicated_frames_give_the_file() {
    let d = tempfile::tempdir().unwrap();
    let mut s = saver(d.path());
    let body = data(10_000);
    let mut f = frames(1, "a.bin", &body, 1000);
    f.reverse();
    let dup = f[3].clone();
    f.insert(7, dup.clone());
    f.push(dup);
    let out = feed(&mut s, "t", &f);
    assert_eq!(out.len(), 1, "{out:?}");
    let Outcome::Saved(saved) = &out[0] else {
        panic!("{out:?}")
    };
    assert_eq!(saved.frames, 10);
    assert_eq!(std::fs::read(d.path().join("a.bin")).unwrap(), body);
    assert_eq!(files(d.path()), ["a.bin"]);
}

#[test]
fn interleaved_transfers_and_a_taken_name() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("x.bin"), b"old").unwrap();
    let mut s = saver(d.path());
    let (a, b) = (data(5000), data(3333));
    let (fa, fb) = (frames(1, "x.bin", &a, 512), frames(2, "x.bin", &b, 512));
    let mut mixed = Vec::new();
    for i in 0..fa.len().max(fb.len()) {
        mixed.extend(fa.get(i).cloned());
        mixed.extend(fb.get(i).cloned());
    }
    let out = feed(&mut s, "t", &mixed);
    assert_eq!(out.len(), 2, "{out:?}");
    assert_eq!(std::fs::read(d.path().join("x.bin")).unwrap(), b"old");
    assert_eq!(std::fs::read(d.path().join("x.1.bin")).unwrap(), b);
    assert_eq!(std::fs::read(d.path().join("x.2.bin")).unwrap(), a);
    assert_eq!(files(d.path()), ["x.1.bin", "x.2.bin", "x.bin"]);
}

#[test]
fn corruption_is_caught_and_leaves_nothing() {
    let d = tempfile::tempdir().unwrap();
    let mut s = saver(d.path());
    let mut f = frames(1, "c.bin", &data(4000), 1000);
    let last = f[1].len() - 1;
    f[1][last] ^= 1;
    let out = feed(&mut s, "t", &f);
    assert!(
        matches!(&out[..], [Outcome::Failed(w)] if w.contains("sha256 mismatch")),
        "{out:?}"
    );
    assert!(files(d.path()).is_empty());
}

#[test]
fn hostile_metadata_is_refused_without_writing() {
    let d = tempfile::tempdir().unwrap();
    let inner = d.path().join("in");
    std::fs::create_dir(&inner).unwrap();
    let mut s = saver(&inner);
    for (i, name) in ["../evil", "/etc/passwd", "..", "a\nb", ""]
        .iter()
        .enumerate()
    {
        let out = feed(&mut s, "t", &frames(i as u8 + 1, name, b"x", 10));
        assert!(
            matches!(&out[..], [Outcome::Failed(_)]),
            "{name:?}: {out:?}"
        );
    }
    // Huge declared size, count that does not match the size, short data.
    let mut h = Header {
        id: [9; 16],
        seq: 0,
        count: 1,
        size: 1 << 40,
        chunk_size: 1 << 20,
        name: "big".into(),
        content_type: String::new(),
        sha256: None,
    };
    h.count = frame::frame_count(h.size, h.chunk_size) as u32;
    let out = feed(&mut s, "t", &[h.frame(&[0; 16])]);
    assert!(
        matches!(&out[..], [Outcome::Failed(w)] if w.contains("max-size")),
        "{out:?}"
    );
    h.id = [10; 16];
    h.size = 100;
    h.count = 5;
    let out = feed(&mut s, "t", &[h.frame(&[0; 16])]);
    assert!(matches!(&out[..], [Outcome::Failed(_)]), "{out:?}");
    h.id = [11; 16];
    h.count = 1;
    h.sha256 = Some([0; 32]);
    let out = feed(&mut s, "t", &[h.frame(&[0; 16])]);
    assert!(
        matches!(&out[..], [Outcome::Failed(w)] if w.contains("expected")),
        "{out:?}"
    );
    // The last frame without the LAST flag (and sha256) could never complete.
    h.id = [12; 16];
    h.size = 16;
    h.sha256 = None;
    let out = feed(&mut s, "t", &[h.frame(&[0; 16])]);
    assert!(
        matches!(&out[..], [Outcome::Failed(w)] if w.contains("out of range")),
        "{out:?}"
    );
    assert!(files(&inner).is_empty(), "{:?}", files(&inner));
    assert_eq!(files(d.path()), ["in"]);
}

#[test]
fn raw_messages_are_named_after_the_last_topic_level() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("img.1.jpg"), b"taken").unwrap();
    let mut s = saver(d.path());
    let jpeg = b"\xff\xd8\xff\xe0 a jpeg";
    let out = feed(
        &mut s,
        "cam/img",
        &[jpeg.to_vec(), jpeg.to_vec(), b"second".to_vec()],
    );
    assert_eq!(out.len(), 3);
    let out = feed(&mut s, "../../x", &[b"hostile".to_vec()]);
    assert!(matches!(&out[..], [Outcome::Saved(_)]));
    let out = feed(&mut s, "files/photo.jpg", &[jpeg.to_vec()]);
    assert!(matches!(&out[..], [Outcome::Saved(_)]));
    assert_eq!(
        files(d.path()),
        ["img", "img.1.jpg", "img.2.jpg", "img.jpg", "photo.jpg", "x"]
    );
    assert_eq!(std::fs::read(d.path().join("img.2.jpg")).unwrap(), jpeg);
    assert_eq!(std::fs::read(d.path().join("img.1.jpg")).unwrap(), b"taken");
}

#[test]
fn overwrite_keeps_one_file_per_topic_for_raw_messages() {
    let d = tempfile::tempdir().unwrap();
    let mut s = saver_with(d.path(), true);
    feed(&mut s, "cam/last", &[b"one".to_vec(), b"two".to_vec()]);
    assert_eq!(files(d.path()), ["last"]);
    assert_eq!(std::fs::read(d.path().join("last")).unwrap(), b"two");
}

#[test]
fn a_stalled_transfer_expires_and_its_part_goes() {
    let d = tempfile::tempdir().unwrap();
    let mut s = saver(d.path());
    let f = frames(1, "slow.bin", &data(3000), 1000);
    assert!(feed(&mut s, "t", &f[..2]).is_empty());
    assert!(files(d.path()).is_empty());
    assert_eq!(parts(&s), 1);
    assert!(s.expire(Instant::now()).is_empty());
    let out = s.expire(Instant::now() + Duration::from_secs(61));
    assert!(
        matches!(&out[..], [Outcome::Failed(w)] if w.contains("2 of 3")),
        "{out:?}"
    );
    assert_eq!(parts(&s), 0);
    // Late frames of the expired transfer do not start it again.
    assert!(feed(&mut s, "t", &f[2..]).is_empty());
    assert!(files(d.path()).is_empty());
    assert_eq!(parts(&s), 0);
}

#[test]
fn a_stream_of_unknown_length_completes_with_its_last_frame() {
    let d = tempfile::tempdir().unwrap();
    let mut s = saver(d.path());
    let mut f = frames(1, "stdin", &data(2500), 1000);
    for frame in &mut f[..2] {
        // count and size 0 until the last frame, as `mq pub -f -` sends them.
        frame[28..40].fill(0);
    }
    f.swap(0, 2);
    let out = feed(&mut s, "t", &f);
    assert!(matches!(&out[..], [Outcome::Saved(_)]), "{out:?}");
    assert_eq!(std::fs::read(d.path().join("stdin")).unwrap(), data(2500));
}

#[test]
fn dropping_the_saver_removes_unfinished_parts() {
    let d = tempfile::tempdir().unwrap();
    let mut s = saver(d.path());
    feed(&mut s, "t", &frames(1, "p.bin", &data(3000), 1000)[..1]);
    assert_eq!(parts(&s), 1);
    drop(s);
    assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 0);
}

/// Security review finding 3: with --overwrite, a transfer named `y.bin.part` used to be renamed
/// onto the file in progress of `y.bin`, which was then saved with its bytes and the genuine
/// sha256. Parts now have names no sender chooses.
#[test]
fn a_transfer_named_like_a_part_cannot_swap_the_bytes_of_another() {
    let d = tempfile::tempdir().unwrap();
    let mut s = saver_with(d.path(), true);
    let genuine = b"GENUINE-FIRMWARE";
    let a = frames(1, "y.bin", genuine, 8);
    assert!(feed(&mut s, "xfer/a", &a[..1]).is_empty());
    let out = feed(&mut s, "xfer/b", &frames(2, "y.bin.part", b"EVIL", 8));
    assert!(matches!(&out[..], [Outcome::Saved(_)]), "{out:?}");
    let out = feed(&mut s, "xfer/a", &a[1..]);
    let [Outcome::Saved(saved)] = &out[..] else {
        panic!("{out:?}")
    };
    assert_eq!(std::fs::read(&saved.path).unwrap(), genuine);
    assert_eq!(saved.sha256, <[u8; 32]>::from(Sha256::digest(genuine)));
    assert_eq!(files(d.path()), ["y.bin", "y.bin.part"]);
}

/// One frame of a transfer that never finishes, with its own id.
fn junk(n: u32) -> Vec<u8> {
    let mut id = [0; 16];
    id[..4].copy_from_slice(&n.to_be_bytes());
    Header {
        id,
        seq: 0,
        count: 2,
        size: 8,
        chunk_size: 4,
        name: format!("junk{n}"),
        content_type: String::new(),
        sha256: None,
    }
    .frame(b"abcd")
}

/// Security review finding 9: idle transfers used to hold all the places, and every new transfer
/// was refused (and remembered as refused) until they timed out.
#[test]
fn a_new_transfer_takes_the_place_of_the_longest_idle_one() {
    let d = tempfile::tempdir().unwrap();
    let mut s = saver(d.path());
    let t0 = Instant::now();
    for n in 0..MAX_ACTIVE as u32 {
        let at = t0 + Duration::from_millis(u64::from(n));
        assert!(s.accept("x", &junk(n), at).is_empty());
    }
    let body = data(3000);
    let real = frames(200, "real.bin", &body, 1000);
    let later = t0 + Duration::from_secs(5);
    let out = s.accept("x", &real[0], later);
    let [Outcome::Failed(why)] = &out[..] else {
        panic!("{out:?}")
    };
    assert!(
        why.contains("'junk0'") && why.contains("make room"),
        "{why}"
    );
    assert!(why.contains("after 5s"), "{why}");
    assert_eq!(parts(&s), MAX_ACTIVE);
    let mut saved = Vec::new();
    for f in &real[1..] {
        saved.extend(s.accept("x", f, later));
    }
    assert!(matches!(&saved[..], [Outcome::Saved(_)]), "{saved:?}");
    assert_eq!(std::fs::read(d.path().join("real.bin")).unwrap(), body);
}

/// A sender opening new transfers between every two frames of a real one cannot push the real
/// one out: one-frame transfers take the places of one another. (Only more than `MAX_ACTIVE`
/// new ones between its first two frames could.)
#[test]
fn a_flood_of_new_transfers_cannot_starve_one_under_way() {
    let d = tempfile::tempdir().unwrap();
    let mut s = saver(d.path());
    let body = data(20_000);
    let real = frames(200, "real.bin", &body, 1000);
    let mut n = 0;
    let mut out = Vec::new();
    for f in &real {
        for _ in 0..MAX_ACTIVE / 2 {
            out.extend(s.accept("x", &junk(n), Instant::now()));
            n += 1;
        }
        out.extend(s.accept("x", f, Instant::now()));
    }
    let saved: Vec<_> = out
        .iter()
        .filter_map(|o| match o {
            Outcome::Saved(s) => Some(s),
            Outcome::Failed(_) => None,
        })
        .collect();
    assert_eq!(saved.len(), 1, "{:?}", out.last());
    assert_eq!(std::fs::read(&saved[0].path).unwrap(), body);
    // Every junk transfer pushed out was reported.
    assert_eq!(out.len() - 1, n as usize - (MAX_ACTIVE - 1));
    assert!(parts(&s) <= MAX_ACTIVE);
}

/// Frames far ahead make large bitmaps (512 KiB for frame 2^22 - 1): all transfers together hold
/// at most `BITMAP_WORDS` of them, idle ones making room, so many such transfers cannot take
/// hundreds of MiB.
#[test]
fn frames_far_ahead_cannot_take_more_than_the_bitmap_budget() {
    let d = tempfile::tempdir().unwrap();
    let mut s = Saver::new(
        d.path(),
        SaveOptions {
            overwrite: false,
            max_size: 1 << 30,
            timeout: Duration::from_secs(60),
        },
    )
    .unwrap();
    let far = |n: u32| {
        let mut id = [7; 16];
        id[..4].copy_from_slice(&n.to_be_bytes());
        // A stream frame (count 0) near the end of the largest transfer.
        Header {
            id,
            seq: (MAX_FRAMES - 1) as u32,
            count: 0,
            size: 0,
            chunk_size: 1,
            name: format!("far{n}"),
            content_type: String::new(),
            sha256: None,
        }
        .frame(b"x")
    };
    let t0 = Instant::now();
    let mut out = Vec::new();
    for n in 0..40 {
        out.extend(s.accept("x", &far(n), t0 + Duration::from_millis(n.into())));
    }
    let words: usize = s.active.values().map(|t| t.seen.len()).sum();
    assert!(words <= BITMAP_WORDS, "{words}");
    assert_eq!(s.active.len(), 16);
    assert_eq!(out.len(), 24, "{out:?}");
    assert!(
        matches!(&out[0], Outcome::Failed(w) if w.contains("'far0'") && w.contains("frame bitmaps")),
        "{out:?}"
    );
}
