//! Creates the table and the queues in the emulator from `infra/template.yaml`, so the
//! local stack runs on the same definitions as production. Only the names and the queue's
//! visibility timeout differ locally (a failed message comes back after seconds, not
//! minutes); `LOCAL_VISIBILITY_TIMEOUT` sets it. Also what the template's secrets are
//! locally: the functions' credentials in Secrets Manager and the webhook secrets' KMS key.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};
use aws_sdk_sqs::types::QueueAttributeName;
use serde_yaml::Value;
use std::collections::HashMap;
use std::path::Path;

/// What the template says about the table and the queues.
#[derive(Clone, Debug, PartialEq)]
pub struct Definitions {
    pub attributes: Vec<(String, String)>,
    pub keys: Vec<(String, String)>,
    pub billing_mode: String,
    pub ttl_attribute: Option<String>,
    /// Global secondary indexes: name, key schema, projected attributes.
    pub indexes: Vec<Index>,
    pub queue: HashMap<String, String>,
    pub max_receive_count: u32,
    pub dlq: HashMap<String, String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Index {
    pub name: String,
    pub keys: Vec<(String, String)>,
    pub projected: Vec<String>,
}

fn indexes(table: &Value) -> Vec<Index> {
    table
        .get("GlobalSecondaryIndexes")
        .and_then(Value::as_sequence)
        .map(|list| {
            list.iter()
                .map(|i| Index {
                    name: scalar(&i["IndexName"]),
                    keys: pairs(&i["KeySchema"], "AttributeName", "KeyType"),
                    projected: i["Projection"]["NonKeyAttributes"]
                        .as_sequence()
                        .map(|a| a.iter().map(scalar).collect())
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default()
}

#[derive(Clone, Debug)]
pub struct Names {
    pub table: String,
    pub queue: String,
    pub dlq: String,
}

impl Names {
    pub fn local() -> Self {
        let queue = crate::local::queue_name();
        Self {
            table: crate::local::table_name(),
            dlq: format!("{queue}-dlq"),
            queue,
        }
    }
}

fn get<'a>(v: &'a Value, path: &[&str]) -> Result<&'a Value, String> {
    path.iter()
        .try_fold(v, |v, key| v.get(*key))
        .ok_or_else(|| format!("infra/template.yaml has no {}", path.join(".")))
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => format!("{other:?}"),
    }
}

fn pairs(list: &Value, a: &str, b: &str) -> Vec<(String, String)> {
    list.as_sequence()
        .map(|items| {
            items
                .iter()
                .map(|i| (scalar(&i[a]), scalar(&i[b])))
                .collect()
        })
        .unwrap_or_default()
}

/// Plain-valued properties of a queue (tagged values such as `!Sub` names are skipped).
fn queue_properties(props: &Value) -> HashMap<String, String> {
    props
        .as_mapping()
        .map(|m| {
            m.iter()
                .filter(|(k, v)| {
                    k.as_str() != Some("QueueName")
                        && matches!(v, Value::Number(_) | Value::String(_) | Value::Bool(_))
                })
                .map(|(k, v)| (scalar(k), scalar(v)))
                .collect()
        })
        .unwrap_or_default()
}

pub fn read_template(path: &Path) -> Result<Definitions, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let doc: Value = serde_yaml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let table = get(&doc, &["Resources", "Table", "Properties"])?;
    let queue = get(&doc, &["Resources", "PipelineQueue", "Properties"])?;
    let dlq = get(
        &doc,
        &["Resources", "PipelineDeadLetterQueue", "Properties"],
    )?;
    let ttl = table
        .get("TimeToLiveSpecification")
        .filter(|t| t["Enabled"].as_bool() == Some(true));
    Ok(Definitions {
        attributes: pairs(
            get(table, &["AttributeDefinitions"])?,
            "AttributeName",
            "AttributeType",
        ),
        keys: pairs(get(table, &["KeySchema"])?, "AttributeName", "KeyType"),
        billing_mode: scalar(get(table, &["BillingMode"])?),
        ttl_attribute: ttl.map(|t| scalar(&t["AttributeName"])),
        indexes: indexes(table),
        queue: queue_properties(queue),
        max_receive_count: get(queue, &["RedrivePolicy", "maxReceiveCount"])?
            .as_u64()
            .unwrap_or(5) as u32,
        dlq: queue_properties(dlq),
    })
}

/// A function's `Timeout` in the template (Lambda's per-invocation limit).
pub fn function_timeout(path: &Path, resource: &str) -> Result<std::time::Duration, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let doc: Value = serde_yaml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    get(&doc, &["Resources", resource, "Properties", "Timeout"])?
        .as_u64()
        .map(std::time::Duration::from_secs)
        .ok_or_else(|| format!("{resource}'s Timeout is not a number of seconds"))
}

pub fn template_path() -> std::path::PathBuf {
    crate::local::repo_root().join("infra/template.yaml")
}

/// `xtask bootstrap`: the local stack's table, queues and SES sender, from the template.
pub async fn local_stack(visibility_timeout: u32) -> Result<(), String> {
    let aws = crate::local::aws().await;
    let defs = read_template(&template_path())?;
    let names = Names::local();
    let url = create(&aws, &defs, &names, visibility_timeout).await?;
    verify_sender(&aws, &crate::local::ses_sender()).await?;
    for (_, name, value) in crate::local::LOCAL_SECRETS {
        put_secret(&aws, name, value).await?;
    }
    let key = webhook_secret_key(&aws, crate::local::LOCAL_WEBHOOK_SECRET_KEY).await?;
    println!(
        "table {} and queue {url} ready; secrets and webhook secret key {key} ready",
        names.table
    );
    Ok(())
}

/// The KMS key behind `alias` (`alias/…`), created with the alias if there is none.
/// Returns the key's ARN.
pub async fn webhook_secret_key(
    aws: &aws_config::SdkConfig,
    alias: &str,
) -> Result<String, String> {
    let kms = aws_sdk_kms::Client::new(aws);
    if let Ok(found) = kms.describe_key().key_id(alias).send().await {
        if let Some(arn) = found.key_metadata.and_then(|k| k.arn) {
            return Ok(arn);
        }
    }
    let created = kms
        .create_key()
        .description("webhook signing secrets (local)")
        .send()
        .await
        .map_err(|e| {
            format!(
                "create KMS key: {}",
                aws_sdk_kms::error::DisplayErrorContext(e)
            )
        })?;
    let key = created
        .key_metadata
        .ok_or("create KMS key: no key metadata")?;
    kms.create_alias()
        .alias_name(alias)
        .target_key_id(key.key_id())
        .send()
        .await
        .map_err(|e| {
            format!(
                "create alias {alias}: {}",
                aws_sdk_kms::error::DisplayErrorContext(e)
            )
        })?;
    key.arn.ok_or_else(|| "create KMS key: no ARN".to_owned())
}

/// The secret `name` holding `value`: created, or given the value if it exists.
pub async fn put_secret(
    aws: &aws_config::SdkConfig,
    name: &str,
    value: &str,
) -> Result<(), String> {
    let sm = aws_sdk_secretsmanager::Client::new(aws);
    let exists = sm.describe_secret().secret_id(name).send().await.is_ok();
    let failed = |e: &dyn std::fmt::Display| format!("secret {name}: {e}");
    if exists {
        sm.put_secret_value()
            .secret_id(name)
            .secret_string(value)
            .send()
            .await
            .map_err(|e| failed(&aws_sdk_secretsmanager::error::DisplayErrorContext(e)))?;
    } else {
        sm.create_secret()
            .name(name)
            .secret_string(value)
            .send()
            .await
            .map_err(|e| failed(&aws_sdk_secretsmanager::error::DisplayErrorContext(e)))?;
    }
    Ok(())
}

/// Creates what is missing; running it twice changes nothing. Returns the queue URL.
pub async fn create(
    aws: &aws_config::SdkConfig,
    defs: &Definitions,
    names: &Names,
    visibility_timeout: u32,
) -> Result<String, String> {
    let ddb = aws_sdk_dynamodb::Client::new(aws);
    let exists = ddb
        .describe_table()
        .table_name(&names.table)
        .send()
        .await
        .is_ok();
    if !exists {
        let attributes = defs
            .attributes
            .iter()
            .map(|(name, ty)| {
                AttributeDefinition::builder()
                    .attribute_name(name)
                    .attribute_type(ScalarAttributeType::from(ty.as_str()))
                    .build()
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<Vec<_>, _>>()?;
        let keys = defs
            .keys
            .iter()
            .map(|(name, ty)| {
                KeySchemaElement::builder()
                    .attribute_name(name)
                    .key_type(KeyType::from(ty.as_str()))
                    .build()
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<Vec<_>, _>>()?;
        let schema = |keys: &[(String, String)]| {
            keys.iter()
                .map(|(name, ty)| {
                    KeySchemaElement::builder()
                        .attribute_name(name)
                        .key_type(KeyType::from(ty.as_str()))
                        .build()
                        .map_err(|e| e.to_string())
                })
                .collect::<Result<Vec<_>, _>>()
        };
        let indexes = defs
            .indexes
            .iter()
            .map(|i| {
                let projection = Projection::builder()
                    .projection_type(ProjectionType::Include)
                    .set_non_key_attributes(Some(i.projected.clone()))
                    .build();
                GlobalSecondaryIndex::builder()
                    .index_name(&i.name)
                    .set_key_schema(Some(schema(&i.keys)?))
                    .projection(projection)
                    .build()
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<Vec<_>, String>>()?;
        ddb.create_table()
            .table_name(&names.table)
            .set_attribute_definitions(Some(attributes))
            .set_key_schema(Some(keys))
            .set_global_secondary_indexes((!indexes.is_empty()).then_some(indexes))
            .billing_mode(BillingMode::from(defs.billing_mode.as_str()))
            .send()
            .await
            .map_err(|e| {
                format!(
                    "create table {}: {}",
                    names.table,
                    aws_sdk_dynamodb::error::DisplayErrorContext(e)
                )
            })?;
        if let Some(attr) = &defs.ttl_attribute {
            let spec = TimeToLiveSpecification::builder()
                .attribute_name(attr)
                .enabled(true)
                .build()
                .map_err(|e| e.to_string())?;
            ddb.update_time_to_live()
                .table_name(&names.table)
                .time_to_live_specification(spec)
                .send()
                .await
                .map_err(|e| {
                    format!(
                        "enable TTL: {}",
                        aws_sdk_dynamodb::error::DisplayErrorContext(e)
                    )
                })?;
        }
    }

    let sqs = aws_sdk_sqs::Client::new(aws);
    let dlq_url = create_queue(&sqs, &names.dlq, &defs.dlq, None).await?;
    let dlq_arn = sqs
        .get_queue_attributes()
        .queue_url(&dlq_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(|e| {
            format!(
                "read dead-letter queue: {}",
                aws_sdk_sqs::error::DisplayErrorContext(e)
            )
        })?
        .attributes
        .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
        .ok_or("the dead-letter queue has no ARN")?;
    let mut attrs = defs.queue.clone();
    attrs.insert("VisibilityTimeout".into(), visibility_timeout.to_string());
    let redrive = serde_json::json!({ "deadLetterTargetArn": dlq_arn, "maxReceiveCount": defs.max_receive_count.to_string() });
    create_queue(&sqs, &names.queue, &attrs, Some(redrive.to_string())).await
}

async fn create_queue(
    sqs: &aws_sdk_sqs::Client,
    name: &str,
    attrs: &HashMap<String, String>,
    redrive: Option<String>,
) -> Result<String, String> {
    let mut request = sqs.create_queue().queue_name(name);
    for (k, v) in attrs {
        request = request.attributes(QueueAttributeName::from(k.as_str()), v);
    }
    if let Some(policy) = redrive {
        request = request.attributes(QueueAttributeName::RedrivePolicy, policy);
    }
    let out = request.send().await.map_err(|e| {
        format!(
            "create queue {name}: {}",
            aws_sdk_sqs::error::DisplayErrorContext(e)
        )
    })?;
    out.queue_url
        .ok_or_else(|| format!("create queue {name}: no URL"))
}

/// The SES sender must be a verified identity, in the emulator as in AWS.
pub async fn verify_sender(aws: &aws_config::SdkConfig, sender: &str) -> Result<(), String> {
    let address = sender
        .rsplit_once('<')
        .map(|(_, a)| a.trim_end_matches('>'))
        .unwrap_or(sender)
        .trim();
    aws_sdk_ses::Client::new(aws)
        .verify_email_identity()
        .email_address(address)
        .send()
        .await
        .map_err(|e| {
            format!(
                "verify {address}: {}",
                aws_sdk_ses::error::DisplayErrorContext(e)
            )
        })?;
    Ok(())
}
