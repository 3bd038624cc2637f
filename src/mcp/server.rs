//! The server: the SDK's handler for hindsight's tools, resources and prompt, on stdio
//! in a single-threaded Tokio runtime. Library calls block, so each runs on Tokio's
//! blocking threads, one at a time (they share the knowledge base's state), while the
//! protocol loop stays free to answer pings. The index is brought up to date as the
//! server starts and kept open between calls; the server stops cleanly when stdin is
//! closed.

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rmcp::handler::server::common::{schema_for_output, schema_for_type};
use rmcp::handler::server::router::prompt::PromptRouter;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolResult, GetPromptResult, Implementation, JsonObject, ListResourceTemplatesResult,
    ListResourcesResult, PaginatedRequestParams, PromptMessage, ReadResourceRequestParams,
    ReadResourceResponse, Role, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{
    ErrorData as McpError, RoleServer, ServerHandler, ServiceExt, prompt, prompt_handler,
    prompt_router, tool, tool_handler, tool_router,
};

use super::prompt::ReviewArgs;
use super::state::State;
use super::tools::{
    self, CheckInput, CheckOutput, GetInput, GetOutput, LessonsInput, LessonsOutput, Outcome,
    SearchInput, SearchOutput, SimilarInput, SimilarOutput,
};
use super::{resources, wire};
use crate::kb::KnowledgeBase;

/// Where the server says what it is doing: stderr, from the command layer.
pub type Log = Arc<dyn Fn(&str) + Send + Sync>;

/// Why the server could not run.
#[derive(Debug)]
pub enum ServeError {
    /// The knowledge base has no `incidents/` folder.
    NoIncidents(PathBuf),
    Io(std::io::Error),
}

impl fmt::Display for ServeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServeError::NoIncidents(p) => write!(
                f,
                "{}: no such folder, so no knowledge base to serve here (use -C DIR)",
                p.display()
            ),
            ServeError::Io(e) => write!(f, "starting the server: {e}"),
        }
    }
}

impl std::error::Error for ServeError {}

const INSTRUCTIONS: &str = "\
hindsight is this team's knowledge base of past incidents (postmortems) and the lessons \
learned from them. Ask it before you act: `lessons_for` the files you are about to edit \
or deploy; `similar_incidents` with your plan, diff or error message (has this failed \
before?); `search_incidents` for anything else; `get_incident` for a whole postmortem; \
`check` a repository or build folder for the guards a deploy must pass.";

fn input<T: schemars::JsonSchema + 'static>() -> Arc<JsonObject> {
    schema_for_type::<T>()
}

fn output<T: schemars::JsonSchema + 'static>() -> Arc<JsonObject> {
    schema_for_output::<T>()
}

fn locked(state: &Mutex<State>) -> MutexGuard<'_, State> {
    // A call that panicked leaves the state as it was: the catalog is rebuilt from the
    // files as needed, so going on is safe.
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

#[derive(Clone)]
struct Hindsight {
    state: Arc<Mutex<State>>,
    tool_router: ToolRouter<Hindsight>,
    prompt_router: PromptRouter<Hindsight>,
}

impl Hindsight {
    /// Run `f` on the state, on a blocking thread.
    async fn blocking<T, F>(&self, f: F) -> Result<T, McpError>
    where
        F: FnOnce(&mut State) -> T + Send + 'static,
        T: Send + 'static,
    {
        let state = self.state.clone();
        tokio::task::spawn_blocking(move || f(&mut locked(&state)))
            .await
            .map_err(|e| McpError::internal_error(format!("hindsight failed: {e}"), None))
    }

    /// Run tool `f` with `args`: a JSON-RPC error for bad arguments, a tool error for
    /// a failure the caller should read.
    async fn call(
        &self,
        f: fn(&mut State, JsonObject) -> Result<Outcome, McpError>,
        args: JsonObject,
    ) -> Result<CallToolResult, McpError> {
        match self.blocking(move |st| f(st, args)).await?? {
            Ok(r) => Ok(r),
            Err(msg) => Ok(tools::tool_error(msg)),
        }
    }
}

#[tool_router]
impl Hindsight {
    fn new(state: Arc<Mutex<State>>) -> Hindsight {
        Hindsight {
            state,
            tool_router: Self::tool_router(),
            prompt_router: Self::prompt_router(),
        }
    }

    #[tool(
        name = "search_incidents",
        description = "Search past incidents (postmortems) in the knowledge base: has this failed before? Takes hindsight's query language (words must all match, \"phrases\", prefix*, OR, -not, field:word, severity:, date:, after:, before:); returns the best hits with id, title, date, severity, score, snippet and path.",
        input_schema = input::<SearchInput>(),
        output_schema = output::<SearchOutput>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn search_incidents(
        &self,
        Parameters(args): Parameters<JsonObject>,
    ) -> Result<CallToolResult, McpError> {
        self.call(tools::search, args).await
    }

    #[tool(
        name = "similar_incidents",
        description = "The past incidents most like a text (a plan, a diff, an error message, a draft postmortem) or like an incident given by id, with a similarity score (0 to 1) and the words they share. Use it before a risky change: describe what you are about to do.",
        input_schema = input::<SimilarInput>(),
        output_schema = output::<SimilarOutput>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn similar_incidents(
        &self,
        Parameters(args): Parameters<JsonObject>,
    ) -> Result<CallToolResult, McpError> {
        self.call(tools::similar, args).await
    }

    #[tool(
        name = "get_incident",
        description = "One past incident by id: its Incident record (as `hindsight parse` gives it: summary, causes, fixes, lessons, timeline, tags) and its postmortem as markdown. An unknown id is a tool error.",
        input_schema = input::<GetInput>(),
        output_schema = output::<GetOutput>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn get_incident(
        &self,
        Parameters(args): Parameters<JsonObject>,
    ) -> Result<CallToolResult, McpError> {
        self.call(tools::get, args).await
    }

    #[tool(
        name = "lessons_for",
        description = "The active lessons (rules) that apply to files you are about to edit or deploy, matched by the rules' file globs, their guards and their incidents' tags; optionally also by the words and lines of your plan or diff. Each says what to do or not do, why, which incidents taught it, and whether a guard checks it.",
        input_schema = input::<LessonsInput>(),
        output_schema = output::<LessonsOutput>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn lessons_for(
        &self,
        Parameters(args): Parameters<JsonObject>,
    ) -> Result<CallToolResult, McpError> {
        self.call(tools::lessons_for, args).await
    }

    #[tool(
        name = "check",
        description = "Run the knowledge base's guard rules against a folder (a repository or a build output), as `hindsight check --format json` does, optionally for one stage (commit, deploy, server). Command guards never run from here; they are listed as skipped.",
        input_schema = input::<CheckInput>(),
        output_schema = output::<CheckOutput>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn check(
        &self,
        Parameters(args): Parameters<JsonObject>,
    ) -> Result<CallToolResult, McpError> {
        self.call(tools::check, args).await
    }
}

#[prompt_router]
impl Hindsight {
    /// Review a change before it is deployed: the lessons and guards for its files, and
    /// what to check.
    #[prompt(name = "pre_deploy_review")]
    async fn pre_deploy_review(
        &self,
        Parameters(args): Parameters<ReviewArgs>,
    ) -> Result<GetPromptResult, McpError> {
        let text = self
            .blocking(move |st| super::prompt::review(st, &args))
            .await?
            .map_err(|e| McpError::invalid_params(e, None))?;
        Ok(
            GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)]).with_description(
                "Pre-deploy review: the lessons and guards for the files in a change",
            ),
        )
    }
}

#[tool_handler(router = self.tool_router)]
#[prompt_handler(router = self.prompt_router)]
impl ServerHandler for Hindsight {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .enable_prompts()
                .build(),
        )
        .with_server_info(
            Implementation::new("hindsight", env!("CARGO_PKG_VERSION"))
                .with_title("hindsight: past incidents and their lessons"),
        )
        .with_instructions(INSTRUCTIONS)
    }

    async fn list_resources(
        &self,
        request: Option<PaginatedRequestParams>,
        _: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        let cursor = request.and_then(|r| r.cursor);
        self.blocking(move |st| resources::list(st, cursor.as_deref()))
            .await?
    }

    async fn list_resource_templates(
        &self,
        _: Option<PaginatedRequestParams>,
        _: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        Ok(resources::templates())
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        let uri = request.uri;
        self.blocking(move |st| resources::read(st, &uri))
            .await?
            .map(Into::into)
    }
}

/// Serve the knowledge base `kb` over stdin and stdout until stdin is closed.
pub fn serve(kb: KnowledgeBase, log: Log) -> Result<(), ServeError> {
    if !kb.incidents_dir().is_dir() {
        return Err(ServeError::NoIncidents(kb.incidents_dir()));
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .map_err(ServeError::Io)?;
    let state = Arc::new(Mutex::new(State::new(kb, log.clone())));
    rt.block_on(async move {
        // Bring the index up to date now, as `search` would, without holding up the
        // handshake: the first call waits for it.
        let (warm, said) = (state.clone(), log.clone());
        let warming = tokio::task::spawn_blocking(move || {
            let started = std::time::Instant::now();
            match locked(&warm).index() {
                Ok(index) => said(&format!(
                    "serving {} incidents (index brought up to date in {:.2} s)",
                    index.len(),
                    started.elapsed().as_secs_f64()
                )),
                Err(e) => said(&format!("error: search index: {e}")),
            }
        });
        let wire = wire::stdio();
        match Hindsight::new(state)
            .serve((wire.sdk_in, wire.sdk_out))
            .await
        {
            Ok(running) => {
                if let Err(e) = running.waiting().await {
                    log(&format!("error: the server stopped: {e}"));
                }
            }
            Err(e) => log(&format!("no session: {e}")),
        }
        for t in wire.tasks {
            if let Ok(Err(e)) = t.await {
                log(&format!("error: stdio: {e}"));
            }
        }
        let _ = warming.await;
    });
    // A request still running on a blocking thread is not waited for past this.
    rt.shutdown_timeout(Duration::from_secs(1));
    Ok(())
}
