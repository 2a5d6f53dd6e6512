//! `-D COMMAND PROPERTY VALUE` and `-D COMMAND user-property KEY VALUE`: how many values a `-D`
//! takes depends on its second value, which clap cannot say. Before clap parses, each `-D`
//! group of three values is closed with a terminator token, so `-D` may take values that start
//! with `-` (`-D publish user-property k -v`, as mosquitto_pub accepts) while a three-value
//! `-D` never swallows the flag after it.

use std::ffi::{OsStr, OsString};

/// Ends a `-D` group early (clap's `value_terminator`): a token no user types.
pub const END: &str = "\u{1e}end-of-D";

/// The command line with a terminator after each three-value `-D` of `pub` and `sub`.
pub fn end_groups(cmd: &clap::Command, args: Vec<OsString>) -> Vec<OsString> {
    let Some(sub) = args
        .get(1)
        .and_then(|a| a.to_str())
        .filter(|a| *a == "pub" || *a == "sub")
        .and_then(|a| cmd.find_subcommand(a))
    else {
        return args;
    };
    let mut out = Vec::with_capacity(args.len() + 2);
    let mut i = 0;
    while i < args.len() {
        let token = &args[i];
        out.push(token.clone());
        i += 1;
        if i > 2 && token == "--" {
            out.extend(args[i..].iter().cloned());
            break;
        }
        if token != "-D" && token != "--property" {
            continue;
        }
        // `-m -D`: this -D is the previous flag's value.
        if i >= 2 && takes_value(sub, &args[i - 2]) {
            continue;
        }
        let values = match args.get(i + 1) {
            Some(p) if p == "user-property" => 4,
            _ => 3,
        };
        let end = (i + values).min(args.len());
        out.extend(args[i..end].iter().cloned());
        i = end;
        if values == 3 && i < args.len() {
            out.push(END.into());
        }
    }
    out
}

/// Whether `token` is a flag of `sub` that takes its value from the next token.
fn takes_value(sub: &clap::Command, token: &OsStr) -> bool {
    let Some(t) = token.to_str() else {
        return false;
    };
    let arg = if let Some(long) = t.strip_prefix("--") {
        if long.contains('=') {
            return false;
        }
        sub.get_arguments().find(|a| {
            a.get_long() == Some(long) || a.get_all_aliases().is_some_and(|al| al.contains(&long))
        })
    } else if let Some(short) = t.strip_prefix('-').filter(|s| s.chars().count() == 1) {
        let c = short.chars().next();
        sub.get_arguments().find(|a| a.get_short() == c)
    } else {
        None
    };
    arg.is_some_and(|a| a.get_action().takes_values())
}

#[cfg(test)]
mod tests {
    use super::super::{parse_from, Cli, Command};

    fn properties(args: &[&str]) -> Vec<String> {
        let cli: Cli = parse_from(std::iter::once("mq").chain(args.iter().copied())).unwrap();
        match cli.command {
            Command::Pub(p) => p.0.v5.property.clone(),
            Command::Sub(s) => s.0.v5.property.clone(),
            _ => panic!("not pub or sub"),
        }
    }

    #[test]
    fn a_d_value_may_start_with_a_dash() {
        let p = properties(&[
            "pub",
            "-t",
            "a",
            "-m",
            "x",
            "-D",
            "publish",
            "user-property",
            "k",
            "-v",
        ]);
        assert_eq!(p, ["publish", "user-property", "k", "-v"]);
        let p = properties(&[
            "pub",
            "-t",
            "a",
            "-m",
            "x",
            "-D",
            "publish",
            "content-type",
            "-x-",
        ]);
        assert_eq!(p, ["publish", "content-type", "-x-"]);
    }

    #[test]
    fn a_three_value_d_does_not_swallow_the_next_flag() {
        let p = properties(&[
            "sub",
            "-D",
            "subscribe",
            "subscription-identifier",
            "5",
            "-t",
            "a",
            "-D",
            "connect",
            "user-property",
            "-k",
            "-v",
            "-v",
        ]);
        assert_eq!(
            p,
            [
                "subscribe",
                "subscription-identifier",
                "5",
                "connect",
                "user-property",
                "-k",
                "-v"
            ]
        );
        let p = properties(&[
            "pub",
            "-D",
            "publish",
            "content-type",
            "text/plain",
            "-m",
            "x",
            "-t",
            "a",
        ]);
        assert_eq!(p, ["publish", "content-type", "text/plain"]);
    }

    #[test]
    fn a_d_that_is_another_flag_s_value_is_left_alone() {
        let cli = parse_from([
            "mq",
            "pub",
            "-t",
            "a",
            "-m",
            "-D",
            "-D",
            "publish",
            "content-type",
            "t",
        ])
        .unwrap();
        let Command::Pub(p) = cli.command else {
            panic!()
        };
        assert_eq!(p.0.message.as_deref(), Some("-D"));
        assert_eq!(p.0.v5.property, ["publish", "content-type", "t"]);
    }
}
