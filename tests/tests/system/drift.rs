//! The local stack's table and queues come from `infra/template.yaml`; this reads back
//! what the emulator created and compares it with the template, so the two cannot drift.

use aws_sdk_sqs::types::QueueAttributeName;
use system_tests::Emulator;
use xtask::bootstrap;

/// An index as the table reports it: name, key schema (attribute, key type), projected attributes.
type Index = (String, Vec<(String, String)>, Vec<String>);

#[tokio::test]
async fn emulator_resources_match_the_sam_template() {
    let env = Emulator::start(7).await;
    let defs = bootstrap::read_template(&bootstrap::template_path()).unwrap();
    assert_eq!(
        defs.keys,
        vec![
            ("pk".to_owned(), "HASH".to_owned()),
            ("sk".to_owned(), "RANGE".to_owned())
        ]
    );
    assert_eq!(defs.ttl_attribute.as_deref(), Some("expires_at"));

    let ddb = aws_sdk_dynamodb::Client::new(&env.aws);
    let table = ddb
        .describe_table()
        .table_name(&env.names.table)
        .send()
        .await
        .unwrap()
        .table
        .unwrap();
    let keys: Vec<(String, String)> = table
        .key_schema()
        .iter()
        .map(|k| {
            (
                k.attribute_name().to_owned(),
                k.key_type().as_str().to_owned(),
            )
        })
        .collect();
    assert_eq!(keys, defs.keys);
    let mut attrs: Vec<(String, String)> = table
        .attribute_definitions()
        .iter()
        .map(|a| {
            (
                a.attribute_name().to_owned(),
                a.attribute_type().as_str().to_owned(),
            )
        })
        .collect();
    attrs.sort();
    let mut expected = defs.attributes.clone();
    expected.sort();
    assert_eq!(attrs, expected);
    assert_eq!(
        table
            .billing_mode_summary()
            .and_then(|b| b.billing_mode())
            .map(|m| m.as_str()),
        Some(defs.billing_mode.as_str())
    );
    let indexes: Vec<Index> = table
        .global_secondary_indexes()
        .iter()
        .map(|i| {
            let keys = i
                .key_schema()
                .iter()
                .map(|k| {
                    (
                        k.attribute_name().to_owned(),
                        k.key_type().as_str().to_owned(),
                    )
                })
                .collect();
            let projected = i
                .projection()
                .map(|p| p.non_key_attributes().to_vec())
                .unwrap_or_default();
            (
                i.index_name().unwrap_or_default().to_owned(),
                keys,
                projected,
            )
        })
        .collect();
    let expected: Vec<_> = defs
        .indexes
        .iter()
        .map(|i| (i.name.clone(), i.keys.clone(), i.projected.clone()))
        .collect();
    assert_eq!(
        indexes, expected,
        "the list route's index (ByAccount) as the template has it"
    );
    assert_eq!(defs.indexes[0].name, "ByAccount");
    let ttl = ddb
        .describe_time_to_live()
        .table_name(&env.names.table)
        .send()
        .await
        .unwrap();
    assert_eq!(
        ttl.time_to_live_description()
            .and_then(|t| t.attribute_name()),
        defs.ttl_attribute.as_deref()
    );

    let sqs = aws_sdk_sqs::Client::new(&env.aws);
    let attributes = |url: String| {
        let sqs = sqs.clone();
        async move {
            sqs.get_queue_attributes()
                .queue_url(url)
                .attribute_names(QueueAttributeName::All)
                .send()
                .await
                .unwrap()
                .attributes
                .unwrap()
        }
    };
    let queue = attributes(env.queue_url.clone()).await;
    let dlq = attributes(env.dlq_url.clone()).await;
    for (name, value) in &defs.queue {
        if name == "VisibilityTimeout" {
            continue; // deliberately short locally
        }
        assert_eq!(
            queue.get(&QueueAttributeName::from(name.as_str())),
            Some(value),
            "queue {name}"
        );
    }
    assert_eq!(
        queue
            .get(&QueueAttributeName::VisibilityTimeout)
            .map(String::as_str),
        Some("7")
    );
    for (name, value) in &defs.dlq {
        assert_eq!(
            dlq.get(&QueueAttributeName::from(name.as_str())),
            Some(value),
            "dead-letter queue {name}"
        );
    }
    let redrive: serde_json::Value =
        serde_json::from_str(&queue[&QueueAttributeName::RedrivePolicy]).unwrap();
    assert_eq!(
        redrive["maxReceiveCount"].to_string().trim_matches('"'),
        defs.max_receive_count.to_string()
    );
    assert_eq!(
        redrive["deadLetterTargetArn"].as_str(),
        dlq.get(&QueueAttributeName::QueueArn).map(String::as_str)
    );
    assert_eq!(defs.max_receive_count, 5);
}

#[test]
fn the_largest_pipeline_message_fits_the_queue() {
    use domain::messages::PipelineMessage;
    use domain::BotId;
    let defs = bootstrap::read_template(&bootstrap::template_path()).unwrap();
    let limit: usize = defs.queue["MaximumMessageSize"].parse().unwrap();
    let id = BotId::new();
    let t = domain::now();
    let largest = [
        PipelineMessage::leave_requested(id),
        PipelineMessage::bot_exited(id, "f".repeat(64)),
        PipelineMessage::exit_deadline(id, t),
        PipelineMessage::deliver(id),
        PipelineMessage::webhook_retry(id, None, u32::MAX, t),
        PipelineMessage::webhook_retry(id, Some(7), 2, t),
    ]
    .iter()
    .map(|m| m.to_json().len())
    .max()
    .unwrap();
    assert!(
        largest < 1024 && largest < limit,
        "largest message {largest} bytes, queue limit {limit}"
    );
}

/// The event source gives the pipeline process the template's timeout when it runs it.
#[test]
fn the_pipeline_timeout_comes_from_the_template() {
    let template = bootstrap::template_path();
    let timeout = bootstrap::function_timeout(&template, "PipelineFunction").unwrap();
    assert_eq!(timeout, std::time::Duration::from_secs(120));
    let error = bootstrap::function_timeout(&template, "NoSuchFunction").unwrap_err();
    assert!(error.contains("NoSuchFunction"), "{error}");
}
