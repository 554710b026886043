//! `wecare-local`: the local stack's command line.
//!
//! - `wecare-local dev` starts moto, provisions and seeds everything, writes `.local/stack.json`,
//!   serves the API and the console, and prints the URL and the logins. Ctrl-C stops it all.
//! - `wecare-local with-moto -- CMD…` runs CMD with a private moto on a free port
//!   (`WECARE_AWS_ENDPOINT`; its process id in `WECARE_MOTO_PID`), which is how `make test` gives
//!   the test suites their AWS.
//!
//! Settings come from the environment: `WECARE_API_PORT` (8080), `WECARE_MOTO_PORT` (4566),
//! `WECARE_SANDBOX_PORT` (4599; 0 for any free port), `WECARE_BULK_CONCURRENCY` (2, bulk workers at once),
//! `WECARE_PYTHON` (.venv/bin/python), `WECARE_CONSOLE_DIR` (frontend/dist),
//! `WECARE_STACK_FILE` (.local/stack.json), `WECARE_DEMO` (1: seed the demo in tenant `wecare`,
//! see `wecare_local::demo`; 0: start bare, as the browser suite does).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context};
use serde_json::json;
use wecare_local::{aws, gateway, moto::Moto, provision, seed, Functions};

fn setting(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| default.to_string())
}

fn port(name: &str, default: u16) -> anyhow::Result<u16> {
    setting(name, &default.to_string())
        .parse()
        .with_context(|| format!("{name} must be a port number"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None | Some("dev") => dev().await,
        Some("with-moto") => with_moto(&args[1..]).await,
        Some(other) => bail!("unknown command {other:?}; use `dev` or `with-moto -- CMD…`"),
    }
}

async fn dev() -> anyhow::Result<()> {
    wecare_http::observability::init_json_logs();
    // Every function runs in this one process; their metrics count in the local environment.
    wecare_http::metrics::set_environment("local");
    let api_port = port("WECARE_API_PORT", 8080)?;
    let moto_port = port("WECARE_MOTO_PORT", 4566)?;
    let sandbox_port = port("WECARE_SANDBOX_PORT", 4599)?;
    let python = PathBuf::from(setting("WECARE_PYTHON", ".venv/bin/python"));
    let console = PathBuf::from(setting("WECARE_CONSOLE_DIR", "frontend/dist"));
    let stack_file = PathBuf::from(setting("WECARE_STACK_FILE", ".local/stack.json"));
    let demo_wanted = wecare_local::demo::wanted(std::env::var("WECARE_DEMO").ok().as_deref())?;

    // Claim the API port first: a second `make dev` stops here, before touching anything.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", api_port))
        .await
        .with_context(|| format!("port {api_port} is in use — is `make dev` already running? (set WECARE_API_PORT)"))?;
    let sandbox_listener = tokio::net::TcpListener::bind(("127.0.0.1", sandbox_port))
        .await
        .with_context(|| format!("port {sandbox_port} is in use (set WECARE_SANDBOX_PORT)"))?;
    // Port 0 asks the system for a free one (the browser suite does, so runs side by side never
    // share a sandbox); the stack file names the one given.
    let sandbox_port = sandbox_listener.local_addr()?.port();
    let sandbox_url = format!("http://127.0.0.1:{sandbox_port}");
    let started = std::time::Instant::now();
    let moto = Moto::start(&python, moto_port).await?;
    let sdk = aws::sdk_config(&moto.endpoint);
    let resources = provision::provision(&sdk, &moto.endpoint, "wecare-local-", seed::users()).await?;
    // Meta reviews a new template by itself here, after WECARE_TEMPLATE_REVIEW_SECONDS (0: only
    // on request, `POST /templates/decide`), so an Admin can watch one be approved in the console.
    let review: u64 = setting("WECARE_TEMPLATE_REVIEW_SECONDS", "20")
        .parse()
        .context("WECARE_TEMPLATE_REVIEW_SECONDS must be a whole number of seconds")?;
    let review = (review > 0).then(|| std::time::Duration::from_secs(review));
    wecare_local::start_sandbox(sandbox_listener, &sdk, &resources, review);
    let providers = wecare_messaging::ProviderEndpoints {
        social_messaging: Some(sandbox_url.clone()),
        sms_voice: Some(sandbox_url.clone()),
        bedrock_agent_runtime: Some(sandbox_url.clone()),
    };
    let functions = Arc::new(Functions::new(&sdk, &resources.function_env(), &providers, None, None)?);
    wecare_local::bulk_pump::start(
        aws_sdk_sqs::Client::new(&sdk),
        resources.queues["bulk-queue"].clone(),
        functions.clone(),
        wecare_local::bulk_pump::PumpOptions {
            concurrency: port("WECARE_BULK_CONCURRENCY", 2)?.into(),
            ..Default::default()
        },
    );
    wecare_local::bulk_pump::start(
        aws_sdk_sqs::Client::new(&sdk),
        resources.queues["ai-queue"].clone(),
        functions.clone(),
        wecare_local::bulk_pump::PumpOptions {
            worker: wecare_local::bulk_pump::Worker::AiDrafts,
            timeout: wecare_local::bulk_pump::AI_TIMEOUT,
            ..Default::default()
        },
    );
    // EventBridge's schedule for the template catalogues (the CDK app's rule): each minute, the
    // catalogues older than the configured age are synced.
    let scheduled = functions.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            // Failures are logged by the function, and the next tick retries them.
            let _ = scheduled.refresh_templates(wecare_core::time::now()).await;
        }
    });
    // The demo delivers its customers' events itself, each at the time it happened, so the events
    // pump starts after it (and then takes whatever a failed step of it left in the queue).
    let demo = if demo_wanted {
        let stack = wecare_local::demo::Stack {
            functions: &functions,
            sdk: &sdk,
            resources: &resources,
            sandbox_url: &sandbox_url,
        };
        let seeded = wecare_local::demo::seed(&stack).await;
        if let Err(e) = &seeded {
            let chain: Vec<String> = e.chain().map(ToString::to_string).collect();
            tracing::error!(error.chain = ?chain, "the demo data could not be seeded; the stack serves anyway");
        }
        Some(seeded)
    } else {
        None
    };
    wecare_local::pump::start(
        aws_sdk_sqs::Client::new(&sdk),
        resources.queues["whatsapp-events"].clone(),
        functions.clone(),
    );
    let api_url = format!("http://127.0.0.1:{api_port}");

    let descriptor = json!({
        "apiUrl": api_url,
        "awsEndpoint": resources.aws_endpoint,
        "sandboxUrl": sandbox_url,
        "region": resources.region,
        "userPoolId": resources.user_pool_id,
        "userPoolClientId": resources.user_pool_client_id,
        "snsTopicArn": resources.sns_topic_arn,
        "alertsTopicArn": resources.alerts_topic_arn,
        "tables": resources.tables,
        "queues": resources.queues,
        "mediaBucket": resources.media_bucket,
        "reportsBucket": resources.reports_bucket,
        "sesSender": resources.ses_sender,
        "users": resources.users,
    });
    if let Some(dir) = stack_file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
    }
    std::fs::write(&stack_file, serde_json::to_string_pretty(&descriptor)?)
        .with_context(|| format!("write {}", stack_file.display()))?;

    println!();
    println!(
        "WECARE.DIGITAL is running at {api_url}  (ready in {:.1} s)",
        started.elapsed().as_secs_f64()
    );
    println!("  API:        {api_url}/api   (e.g. curl {api_url}/api/health)");
    println!("  AWS (moto): {}", resources.aws_endpoint);
    println!("  Sandbox:    {sandbox_url}   (provider ledger at {sandbox_url}/ledger)");
    match review {
        Some(after) => println!(
            "  Templates:  new ones are reviewed after {} s (approved; named reject_… rejected)",
            after.as_secs()
        ),
        None => println!("  Templates:  new ones stay PENDING until POST {sandbox_url}/templates/decide"),
    }
    println!("  Stack:      {}", stack_file.display());
    match &demo {
        Some(Ok(d)) => println!(
            "  Demo data:  tenant {} — {} contacts, {} messages, {} campaign{} (WECARE_DEMO=0 starts bare); seeded in {:.1} s",
            seed::DEFAULT_TENANT,
            d.contacts,
            d.messages,
            d.campaigns,
            if d.campaigns == 1 { "" } else { "s" },
            d.took.as_secs_f64()
        ),
        Some(Err(e)) => println!("  Demo data:  NOT seeded — {e:#} (the log has the details; WECARE_DEMO=0 starts bare)"),
        None => println!("  Demo data:  none (WECARE_DEMO=0)"),
    }
    println!(
        "  Logins (Cognito USER_PASSWORD_AUTH, client {}):",
        resources.user_pool_client_id
    );
    for u in &resources.users {
        println!(
            "    {:<9} {:<26} {:<22} tenant {}",
            u.role.as_str(),
            u.email,
            u.password,
            u.tenant_id
        );
    }
    println!("Press Ctrl-C to stop.");

    let app = gateway::router(functions, Some(console), resources.console_config());
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            // Ctrl-C in a terminal, SIGTERM from a script or CI: both stop everything cleanly.
            let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
            let terminated = async {
                match term.as_mut() {
                    Some(t) => {
                        t.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminated => {}
            }
        })
        .await
        .context("serve")?;
    moto.stop().await;
    let _ = std::fs::remove_file(&stack_file);
    println!("stopped");
    Ok(())
}

async fn with_moto(args: &[String]) -> anyhow::Result<()> {
    let cmd: Vec<&String> = args.iter().skip_while(|a| *a == "--").collect();
    let Some((program, rest)) = cmd.split_first() else {
        bail!("usage: wecare-local with-moto -- CMD [ARGS…]");
    };
    let python = PathBuf::from(setting("WECARE_PYTHON", ".venv/bin/python"));
    let moto = Moto::start(&python, 0).await?;
    let mut command = tokio::process::Command::new(program);
    command.args(rest).env("WECARE_AWS_ENDPOINT", &moto.endpoint);
    if let Some(pid) = moto.pid() {
        command.env("WECARE_MOTO_PID", pid.to_string());
    }
    let status = command.status().await.with_context(|| format!("run {program}"))?;
    moto.stop().await;
    std::process::exit(status.code().unwrap_or(1));
}
