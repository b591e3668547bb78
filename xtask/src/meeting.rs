//! The stand-in bot's meetings: one written meeting that reads like a real one (a launch
//! review of four people: small talk, status, questions answered and one left open,
//! decisions, action items with and without owners and dates), said once, never looped.
//! Longer meetings go on with generated agenda rounds, each about its own sprint and
//! figures, so that no line is ever said twice. Deterministic for a given length; a 4-hour
//! meeting is ~40,000 words.

use domain::Segment;

/// The written meeting, in order.
const SCRIPT: &[(&str, &str)] = &[
    ("Ada", "Good morning everyone, thanks for joining. Did everyone survive the storm on Saturday?"),
    ("Bob", "Barely. We lost power for six hours, so I finally read a paper book."),
    ("Chen", "Same here, my street was flooded. Anyway, I brought coffee for the design corner."),
    ("Ada", "Thank you, Chen. Okay, let's get started. Today is the launch review for the meeting insights feature: backend status, design, pricing, support, and the risks. We have thirty minutes."),
    ("Ada", "Bob, where are we on the backend?"),
    ("Bob", "The API is feature complete and deployed to staging. We are finishing the load tests. The first run showed the queue falling behind at peak, so I doubled the consumers and we are rerunning it."),
    ("Ada", "How long will the load tests take?"),
    ("Bob", "About two more days. If the second run is clean, we can freeze the backend on Wednesday."),
    ("Dana", "What does falling behind mean for a customer? Would they see delays?"),
    ("Bob", "At peak a summary arrived about forty seconds late. Nothing was lost, every meeting was processed, just later than we want."),
    ("Ada", "Okay. Chen, how is the design side?"),
    ("Chen", "The onboarding screens are ready and tested with five customers. Four finished without help. The one who got stuck missed the button to connect a calendar, so I made it bigger and moved it to the top."),
    ("Chen", "I still need feedback on the pricing page. I have two versions, one with a comparison table and one with cards."),
    ("Dana", "Do we know which pricing tiers we are showing at launch?"),
    ("Ada", "Yes, we agreed last week to launch with two tiers, starter and team. Enterprise comes later, once we have single sign-on."),
    ("Dana", "Then I will update the announcement copy to match the two tiers by Thursday."),
    ("Chen", "With two tiers the cards work better. The table only makes sense with three or more."),
    ("Ada", "Let's go with the cards then. Chen, can you send the final pricing page to Dana by Friday?"),
    ("Chen", "Sure, I can do that."),
    ("Ada", "Dana, what are you hearing from the beta customers?"),
    ("Dana", "Mostly good things. Nine of the twelve beta teams use the summaries every week. The most common request is to edit the list of tasks before the email goes out, and the second is a score that explains itself instead of a bare number."),
    ("Bob", "Editing before sending would mean holding the email. How long would people wait for it?"),
    ("Dana", "Most said ten minutes is fine, an hour is too long. One team wants it right away and never edits anything."),
    ("Ada", "Let's not add editing to this release. We can collect the requests and look at them in the next planning."),
    ("Chen", "For the score, the card already lists what went well and what to improve, with the numbers behind each point. The beta teams liked that in the tests."),
    ("Dana", "Good. Then I will put the score card in the announcement screenshots."),
    ("Ada", "One question on security. Did the review of the webhook signatures finish?"),
    ("Bob", "Yes, it finished on Friday with two small findings. Both are fixed and the reviewer signed off yesterday."),
    ("Bob", "What about the migration for existing customers? Is that in scope for this release?"),
    ("Chen", "I think it should be. Customers asked for it in almost every interview."),
    ("Bob", "It is not trivial though. Old meetings have transcripts in the legacy format, about twelve thousand of them."),
    ("Ada", "Let's go with migrating existing customers in the same release, but behind a feature flag, so we can turn it off if something breaks."),
    ("Bob", "Okay. I'll write the migration script and test it on a copy of production by next Tuesday."),
    ("Dana", "Who is handling the support documentation?"),
    ("Chen", "I can take that. I will draft the help center articles and share them on Monday."),
    ("Dana", "Great. And who owns the release notes for the mobile app?"),
    ("Ada", "Can we park that for a second? I want to get through the risks first. Are there any risks we have not talked about?"),
    ("Bob", "The email provider has a sending limit we might hit on launch day. We send one summary per meeting, and the trial customers alone run about three thousand meetings a day."),
    ("Ada", "Good point. Dana, can you contact the email provider about the sending limit this week?"),
    ("Dana", "Sure, I will email them today and report back tomorrow."),
    ("Bob", "And the new privacy text: legal is slow in launch weeks, so we should send them the privacy text for review before next Friday."),
    ("Chen", "One more thing: the mobile layout of the dashboard still breaks on small screens. The score card overlaps the transcript."),
    ("Bob", "That is a quick fix. I can pair with you on it this afternoon."),
    ("Dana", "Um, should we also prepare a short video for the launch post? Last time the video got more clicks than the text."),
    ("Ada", "I like it, but it is not on the critical path. We need to find someone to record it by the end of the month."),
    ("Bob", "How long is the freeze before launch? Two days or a week?"),
    ("Ada", "A week. Nothing but bug fixes after the freeze, and every fix needs a second reviewer."),
    ("Ada", "So the decision is: we launch on the fifteenth if the load tests pass. Otherwise we move one week and tell the sales team on Thursday."),
    ("Dana", "Sounds good. I will tell the sales team the tentative date."),
    ("Ada", "Quick recap before we go. Bob reruns the load tests and writes the migration script by Tuesday. Chen sends the pricing page by Friday and drafts the help articles for Monday. Dana updates the copy by Thursday and talks to the email provider this week."),
    ("Chen", "And the release notes for the mobile app?"),
    ("Ada", "Right, we still need an owner for those. Let's decide that on Thursday. Thanks everyone, see you then."),
];

/// Workstreams of the generated rounds that follow the script in longer meetings.
const WORKSTREAMS: &[&str] = &[
    "billing export",
    "calendar sync",
    "search index",
    "mobile app",
    "partner API",
    "analytics dashboard",
    "admin console",
    "notification service",
    "data retention job",
    "single sign-on",
    "audit log",
    "transcript editor",
];
const ISSUES: &[&str] = &[
    "timeouts at peak",
    "duplicate rows",
    "slow page loads",
    "missing translations",
    "flaky tests",
    "expired certificates",
    "memory growth",
    "retry storms",
];
const WEEKDAYS: &[&str] = &["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];

/// Roughly `words` words of meeting, at ~150 words per minute with short pauses: the written
/// meeting, then generated rounds, cut after the segment that reaches `words`.
pub fn generate(words: usize) -> Vec<Segment> {
    let mut meeting = Meeting::default();
    for (speaker, text) in SCRIPT {
        if meeting.spoken >= words.max(1) {
            return meeting.segments;
        }
        meeting.say(speaker, text);
    }
    let mut round = 0;
    while meeting.spoken < words {
        for (speaker, text) in round_lines(round) {
            if meeting.spoken >= words {
                break;
            }
            meeting.say(speaker, &text);
        }
        round += 1;
    }
    meeting.segments
}

/// The written meeting, whole (what the stand-in reports unless told a length).
pub fn written() -> Vec<Segment> {
    let mut meeting = Meeting::default();
    for (speaker, text) in SCRIPT {
        meeting.say(speaker, text);
    }
    meeting.segments
}

#[derive(Default)]
struct Meeting {
    segments: Vec<Segment>,
    spoken: usize,
    clock_ms: u64,
}

impl Meeting {
    fn say(&mut self, speaker: &str, text: &str) {
        let n = text.split_whitespace().count();
        let duration = n as u64 * 400;
        self.segments.push(Segment {
            speaker: speaker.to_owned(),
            text: text.to_owned(),
            start_ms: self.clock_ms,
            end_ms: self.clock_ms + duration,
        });
        self.clock_ms += duration + 700;
        self.spoken += n;
    }
}

/// One generated agenda round. Every line names the round's sprint, so no line repeats.
fn round_lines(round: usize) -> Vec<(&'static str, String)> {
    let sprint = 40 + round;
    let work = WORKSTREAMS[round % WORKSTREAMS.len()];
    let issue = ISSUES[(round * 3 + 1) % ISSUES.len()];
    let day = WEEKDAYS[(round * 2 + 1) % WEEKDAYS.len()];
    let next_day = WEEKDAYS[(round * 2 + 3) % WEEKDAYS.len()];
    let total = 12 + (round * 7) % 29;
    let closed = total - 1 - (round * 5) % (total / 2);
    let blocking = 1 + round % 3;
    let asks = 3 + (round * 11) % 17;
    vec![
        ("Ada", format!("Next item is the {work}. Bob, where does it stand after sprint {sprint}?")),
        ("Bob", format!("We closed {closed} of {total} tickets in sprint {sprint}. Most of the open ones are about {issue}.")),
        ("Chen", format!("How many of the open tickets from sprint {sprint} block the {work} release?")),
        ("Bob", format!("{blocking} of them. I'll fix the worst one by {day}, before sprint {} starts.", sprint + 1)),
        ("Dana", format!("Customers asked about the {work} {asks} times since sprint {sprint} began, mostly about {issue}.")),
        ("Ada", format!("Then let's go with fixing {issue} first and move the rest of sprint {sprint} to sprint {}.", sprint + 1)),
        ("Chen", format!("I will update the {work} designs for sprint {} by {next_day}.", sprint + 1)),
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    #[test]
    fn length_is_as_asked_and_times_increase() {
        let segs = super::generate(40_000);
        let words: usize = segs.iter().map(|s| s.text.split_whitespace().count()).sum();
        assert!((40_000..40_100).contains(&words));
        assert!(segs.windows(2).all(|w| w[0].end_ms <= w[1].start_ms));
        assert!(
            segs.last().unwrap().end_ms > 3 * 3600 * 1000,
            "40,000 words is a meeting of hours"
        );
    }

    #[test]
    fn no_line_is_said_twice_however_long_the_meeting() {
        let segs = super::generate(40_000);
        let mut seen = HashSet::new();
        for s in &segs {
            assert!(seen.insert(s.text.as_str()), "said twice: {}", s.text);
        }
    }

    #[test]
    fn the_written_meeting_is_the_start_of_every_meeting() {
        let written = super::written();
        assert_eq!(written.len(), super::SCRIPT.len());
        assert!(written[0].text.starts_with("Good morning everyone"));
        assert_eq!(
            super::generate(300)[..],
            written[..super::generate(300).len()]
        );
        let words: usize = written
            .iter()
            .map(|s| s.text.split_whitespace().count())
            .sum();
        assert!(words > 900, "{words} words");
    }
}
