//! Realistic meeting transcripts for the stand-in bot: several speakers, questions answered
//! by others, action items with owners and dates, decisions. Deterministic for a given
//! length, and as long as asked (a 4-hour meeting is ~40,000 words).

use domain::Segment;

const SCRIPT: &[(&str, &str)] = &[
    ("Ada", "Good morning everyone, thanks for joining. Let's go through the launch plan for the {topic}."),
    ("Bob", "Morning. The backend work for the {topic} is mostly done, we are finishing the load tests."),
    ("Ada", "How long will the load tests take?"),
    ("Bob", "About two more days. The first run showed the queue falling behind at peak, so I doubled the consumers and we are rerunning it."),
    ("Chen", "On the design side the onboarding screens are ready. I still need feedback on the pricing page."),
    ("Dana", "Do we know which pricing tiers we are showing at launch?"),
    ("Ada", "Yes, we agreed last week to launch with two tiers, starter and team. Enterprise comes later."),
    ("Dana", "Then I will update the announcement copy to match the two tiers by Thursday."),
    ("Bob", "What about the migration for existing customers? Is that in scope for this release?"),
    ("Chen", "I think it should be. Customers asked for it in every interview."),
    ("Ada", "Let's go with migrating existing customers in the same release, but behind a feature flag."),
    ("Bob", "Okay. I'll write the migration script and test it on a copy of production by next Tuesday."),
    ("Dana", "Who is handling the support documentation?"),
    ("Chen", "I can take that. I will draft the help center articles and share them on Monday."),
    ("Ada", "Great. Are there any risks we have not talked about?"),
    ("Bob", "The email provider has a sending limit we might hit on launch day. We should ask them to raise it."),
    ("Ada", "Good point. Dana, can you contact the email provider about the sending limit this week?"),
    ("Dana", "Sure, I will email them today and report back tomorrow."),
    ("Chen", "One more thing: the mobile layout of the dashboard still breaks on small screens."),
    ("Bob", "That is a quick fix, I can pair with you on it this afternoon."),
    ("Ada", "So the decision is: we launch on the fifteenth if the load tests pass. Otherwise we move one week."),
    ("Dana", "Sounds good. I will tell the sales team the tentative date."),
];

const TOPICS: &[&str] = &[
    "meeting insights feature",
    "new billing system",
    "mobile application",
    "partner integration",
    "analytics dashboard",
    "search redesign",
];

/// Roughly `words` words of meeting, at ~150 words per minute with short pauses.
pub fn generate(words: usize) -> Vec<Segment> {
    let mut segments = Vec::new();
    let mut spoken = 0;
    let mut clock_ms = 0u64;
    let mut round = 0;
    while spoken < words.max(1) {
        let topic = TOPICS[round % TOPICS.len()];
        for (speaker, line) in SCRIPT {
            let text = line.replace("{topic}", topic);
            let n = text.split_whitespace().count();
            let duration = n as u64 * 400;
            segments.push(Segment {
                speaker: (*speaker).to_owned(),
                text,
                start_ms: clock_ms,
                end_ms: clock_ms + duration,
            });
            clock_ms += duration + 700;
            spoken += n;
            if spoken >= words {
                break;
            }
        }
        round += 1;
    }
    segments
}

#[cfg(test)]
mod tests {
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
}
