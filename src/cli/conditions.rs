//! Conditions on what arrives (`--where`, `--grep`, `--assert`): flags shared by the commands
//! that wait for or check messages. They are compiled by `crate::matcher`.

use clap::Args;

#[derive(Args, Debug, Clone, Default)]
#[command(next_help_heading = "Conditions")]
pub struct ConditionArgs {
    /// Only messages for which this jq expression outputs true: '.temp > 30'. `.` is the JSON
    /// payload (a payload that is not JSON never matches); $topic, $qos, $retained and $props
    /// (the MQTT 5 properties, as in --json) describe the message. Printed messages are the
    /// matching ones, and -C counts only those
    #[arg(long = "where", value_name = "EXPR", allow_hyphen_values = true)]
    pub select: Option<String>,

    /// Only messages whose payload, as UTF-8 text, matches this regular expression
    #[arg(long, value_name = "REGEX", allow_hyphen_values = true)]
    pub grep: Option<String>,

    /// Every message (that --where/--grep select) must make this jq expression output true;
    /// the first that does not ends mq with exit 6, naming its topic and payload
    #[arg(long, value_name = "EXPR", allow_hyphen_values = true)]
    pub assert: Option<String>,
}
