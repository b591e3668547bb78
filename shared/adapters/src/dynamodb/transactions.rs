//! What a failed `TransactWriteItems` means. DynamoDB cancels a transaction for several
//! reasons and says which, item by item: only a failed condition is a lost race (another
//! stop, exit or deadline came first); an item over 400 KB will never fit; throttling and
//! conflicts with concurrent transactions are worth another try.

use app::ports::StoreError;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::{
    TransactWriteItemsError, TransactWriteItemsOutput,
};

/// A transaction that did not fail for a reason the caller must handle as an error.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Transaction {
    Committed,
    /// The conditions of these items (by position in the request) did not hold.
    ConditionFailed(Vec<usize>),
}

/// What one cancellation reason says.
#[derive(Debug, PartialEq, Eq)]
enum Reason {
    None,
    ConditionFailed,
    TooLarge,
    /// Throttling, a conflicting transaction, an internal error: try again.
    Transient,
}

fn reason(code: Option<&str>, message: Option<&str>) -> Reason {
    let too_large = message.is_some_and(|m| m.contains("size") && m.contains("exceeded"));
    match code {
        None | Some("None") => Reason::None,
        Some("ConditionalCheckFailed") => Reason::ConditionFailed,
        Some("ItemCollectionSizeLimitExceeded") => Reason::TooLarge,
        Some("ValidationError") if too_large => Reason::TooLarge,
        Some(_) => Reason::Transient,
    }
}

/// The outcome of a transaction from its cancellation reasons (`(code, message)` per item).
fn classify(reasons: &[(Option<&str>, Option<&str>)]) -> Result<Transaction, ()> {
    let reasons: Vec<Reason> = reasons.iter().map(|(c, m)| reason(*c, *m)).collect();
    if reasons.contains(&Reason::TooLarge) || reasons.contains(&Reason::Transient) {
        return Err(());
    }
    let failed: Vec<usize> = reasons
        .iter()
        .enumerate()
        .filter(|(_, r)| **r == Reason::ConditionFailed)
        .map(|(i, _)| i)
        .collect();
    if failed.is_empty() {
        Err(())
    } else {
        Ok(Transaction::ConditionFailed(failed))
    }
}

/// Reads a transaction's result: committed, lost to a condition, or an error that says
/// whether retrying can help ([`StoreError::TooLarge`] never does).
pub(super) fn outcome(
    operation: &'static str,
    result: Result<TransactWriteItemsOutput, SdkError<TransactWriteItemsError>>,
) -> Result<Transaction, StoreError> {
    let e = match result {
        Ok(_) => return Ok(Transaction::Committed),
        Err(e) => e,
    };
    match e.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => {
            let reasons: Vec<(Option<&str>, Option<&str>)> = cancelled
                .cancellation_reasons()
                .iter()
                .map(|r| (r.code(), r.message()))
                .collect();
            match classify(&reasons) {
                Ok(lost) => Ok(lost),
                Err(())
                    if reasons
                        .iter()
                        .any(|(c, m)| reason(*c, *m) == Reason::TooLarge) =>
                {
                    Err(StoreError::too_large(operation, e))
                }
                Err(()) => Err(StoreError::unavailable(operation, e)),
            }
        }
        // An item over the limit can also be refused before the transaction starts.
        Some(other)
            if aws_sdk_dynamodb::error::ProvideErrorMetadata::code(other)
                == Some("ValidationException")
                && aws_sdk_dynamodb::error::ProvideErrorMetadata::message(other)
                    .is_some_and(|m| m.contains("size") && m.contains("exceeded")) =>
        {
            Err(StoreError::too_large(operation, e))
        }
        _ => Err(StoreError::unavailable(operation, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_failed_condition_is_a_lost_race() {
        assert_eq!(
            classify(&[
                (
                    Some("ConditionalCheckFailed"),
                    Some("The conditional request failed")
                ),
                (Some("None"), None)
            ]),
            Ok(Transaction::ConditionFailed(vec![0]))
        );
        assert_eq!(
            classify(&[(Some("None"), None), (Some("ConditionalCheckFailed"), None)]),
            Ok(Transaction::ConditionFailed(vec![1]))
        );
    }

    #[test]
    fn throttling_and_conflicts_are_errors_to_retry() {
        for code in [
            "ThrottlingError",
            "TransactionConflict",
            "ProvisionedThroughputExceeded",
            "InternalServerError",
        ] {
            assert_eq!(
                classify(&[(Some(code), None), (Some("None"), None)]),
                Err(()),
                "{code}"
            );
            assert_eq!(reason(Some(code), None), Reason::Transient);
        }
        assert_eq!(
            classify(&[
                (Some("ConditionalCheckFailed"), None),
                (Some("ThrottlingError"), None)
            ]),
            Err(()),
            "a throttled item means the outcome is not known yet"
        );
    }

    #[test]
    fn an_item_over_the_limit_is_too_large() {
        assert_eq!(
            reason(
                Some("ValidationError"),
                Some("Item size has exceeded the maximum allowed size")
            ),
            Reason::TooLarge
        );
        assert_eq!(
            reason(Some("ItemCollectionSizeLimitExceeded"), None),
            Reason::TooLarge
        );
        assert_eq!(
            reason(Some("ValidationError"), Some("Invalid attribute")),
            Reason::Transient
        );
    }
}
