//! Each incident as a resource, `hindsight://incident/{id}`: listed a page at a time in
//! id order, read as its repaired markdown. An unknown resource is JSON-RPC's
//! resource-not-found error.

use rmcp::ErrorData as McpError;
use rmcp::model::{
    ListResourceTemplatesResult, ListResourcesResult, ReadResourceResult, Resource,
    ResourceContents, ResourceTemplate,
};

use super::state::State;
use super::tools::{self, INCIDENT_URI};

/// Resources per `resources/list` page.
const PAGE: usize = 500;

pub(super) fn list(st: &mut State, cursor: Option<&str>) -> Result<ListResourcesResult, McpError> {
    let start = match cursor {
        None => 0,
        Some(c) => c
            .parse::<usize>()
            .map_err(|_| McpError::invalid_params(format!("unknown cursor `{c}`"), None))?,
    };
    let catalog = st
        .catalog()
        .map_err(|e| McpError::internal_error(e, None))?;
    let resources: Vec<Resource> = catalog
        .entries()
        .skip(start)
        .take(PAGE)
        .map(|e| {
            let about: Vec<&str> = [e.date.as_deref(), e.severity.as_deref()]
                .into_iter()
                .flatten()
                .chain(std::iter::once(e.path.as_str()))
                .collect();
            Resource::new(format!("{INCIDENT_URI}{}", e.id), e.id.clone())
                .with_title(e.title.clone())
                .with_description(format!("Postmortem: {}", about.join(", ")))
                .with_mime_type("text/markdown")
        })
        .collect();
    let next = start + resources.len();
    Ok(ListResourcesResult {
        resources,
        next_cursor: (next < catalog.len()).then(|| next.to_string()),
        ..Default::default()
    })
}

pub(super) fn templates() -> ListResourceTemplatesResult {
    ListResourceTemplatesResult {
        resource_templates: vec![
            ResourceTemplate::new(format!("{INCIDENT_URI}{{id}}"), "incident")
                .with_title("A past incident's postmortem")
                .with_description(
                    "The postmortem of incident {id} (ids as the tools give them), as markdown",
                )
                .with_mime_type("text/markdown"),
        ],
        ..Default::default()
    }
}

pub(super) fn read(st: &mut State, uri: &str) -> Result<ReadResourceResult, McpError> {
    let not_found =
        |why: String| McpError::resource_not_found(why, Some(serde_json::json!({ "uri": uri })));
    let Some(id) = uri.strip_prefix(INCIDENT_URI).filter(|id| !id.is_empty()) else {
        return Err(not_found(format!(
            "`{uri}` is not a hindsight resource ({INCIDENT_URI}{{id}})"
        )));
    };
    let (_, markdown) = tools::record(st, id).map_err(not_found)?;
    Ok(ReadResourceResult::new(vec![
        ResourceContents::text(markdown, uri).with_mime_type("text/markdown"),
    ]))
}
