//! The summarizer's VPC inventory: every `*.json` object under `INVENTORY_S3_URI` (or
//! the one object it names), the AWS CLI's `describe-*` output, merged. A prefix with
//! no documents means no inventory (logged), so the function can be deployed before
//! the inventory is uploaded. Cached across
//! warm invocations; one LIST per invocation checks the keys and ETags (a HEAD per
//! document on stores whose listings carry no ETag), and the documents are read again
//! only when one of them changed.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use flowpath_core::inventory::Inventory;
use flowpath_s3::{Access, S3Uri};
use tokio::sync::Mutex;

use crate::error::HandlerError;

/// (key, ETag) of every document, in key order: what the cached inventory was read from.
type Signature = Vec<(String, Option<String>)>;

/// The inventory in use, if `INVENTORY_S3_URI` is set.
pub struct InventorySource {
    uri: Option<S3Uri>,
    cached: Mutex<Option<(Signature, Arc<Inventory>)>>,
    warned_empty: AtomicBool,
}

impl InventorySource {
    /// The inventory at `uri`, or none.
    pub fn new(uri: Option<S3Uri>) -> InventorySource {
        InventorySource {
            uri,
            cached: Mutex::new(None),
            warned_empty: AtomicBool::new(false),
        }
    }

    /// The current inventory (`None` without `INVENTORY_S3_URI`); every request names
    /// `access`'s expected bucket owner.
    pub async fn get(
        &self,
        client: &aws_sdk_s3::Client,
        access: &Access,
    ) -> Result<Option<Arc<Inventory>>, HandlerError> {
        let Some(uri) = &self.uri else {
            return Ok(None);
        };
        let mut cached = self.cached.lock().await;
        let mut signature: Signature = Vec::new();
        for o in flowpath_s3::list_documents(client, uri, &|k| k.ends_with(".json"), access).await?
        {
            // S3 lists ETags; some S3-compatible stores do not: ask for it then.
            let etag = match o.etag {
                Some(etag) => Some(etag),
                None => flowpath_s3::head(client, &uri.bucket, &o.key, access)
                    .await?
                    .and_then(|(etag, _)| etag),
            };
            signature.push((o.key, etag));
        }
        if signature.is_empty() {
            // An empty prefix (as deployed, before any inventory is uploaded) means no
            // inventory; a named object that is missing is a configuration error.
            if uri.key.is_empty() || uri.key.ends_with('/') {
                if cached.is_some() || !self.warned_empty.swap(true, Ordering::Relaxed) {
                    tracing::info!(uri = %uri, "no VPC inventory documents: attributing without inventory");
                }
                *cached = None;
                return Ok(None);
            }
            return Err(HandlerError::Config(format!(
                "INVENTORY_S3_URI {uri}: no such object"
            )));
        }
        if let Some((seen, inventory)) = cached.as_ref()
            && *seen == signature
        {
            return Ok(Some(Arc::clone(inventory)));
        }
        let mut inventory = Inventory::new();
        for (key, _) in &signature {
            let (_, bytes) = flowpath_s3::get_bytes(client, &uri.bucket, key, access).await?;
            let name = format!("s3://{}/{key}", uri.bucket);
            inventory
                .load(&name, &bytes)
                .map_err(|e| HandlerError::Config(format!("INVENTORY_S3_URI: {e}")))?;
        }
        tracing::info!(
            uri = %uri,
            documents = signature.len(),
            network_interfaces = inventory.enis().len(),
            vpc_endpoints = inventory.endpoints().len(),
            nat_gateways = inventory.nat_gateways().len(),
            "loaded the VPC inventory"
        );
        let inventory = Arc::new(inventory);
        *cached = Some((signature, Arc::clone(&inventory)));
        Ok(Some(inventory))
    }
}
