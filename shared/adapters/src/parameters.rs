//! Values the template computes and a function reads once at init from SSM Parameter
//! Store, where an environment variable would make a circular reference in the template
//! (the join function needs the API's URL; the API needs the function).

use aws_sdk_ssm::Client;
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum ParameterError {
    #[error("reading SSM parameters {names:?} failed")]
    Unavailable {
        names: Vec<String>,
        #[source]
        source: Box<aws_sdk_ssm::Error>,
    },
    #[error("SSM parameter {0} does not exist")]
    Missing(String),
}

/// The values of `names`, all of which must exist.
pub async fn read(
    aws: &aws_types::SdkConfig,
    names: &[&str],
) -> Result<HashMap<String, String>, ParameterError> {
    let out = Client::new(aws)
        .get_parameters()
        .set_names(Some(names.iter().map(|n| (*n).to_owned()).collect()))
        .with_decryption(true)
        .send()
        .await
        .map_err(|e| ParameterError::Unavailable {
            names: names.iter().map(|n| (*n).to_owned()).collect(),
            source: Box::new(e.into()),
        })?;
    let values: HashMap<String, String> = out
        .parameters()
        .iter()
        .filter_map(|p| Some((p.name()?.to_owned(), p.value()?.to_owned())))
        .collect();
    match names.iter().find(|n| !values.contains_key(**n)) {
        Some(missing) => Err(ParameterError::Missing((*missing).to_owned())),
        None => Ok(values),
    }
}
