//! Handles → providers, configuration errors, error classification and the retry policy.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failed expect is a failed test

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use pretty_assertions::assert_eq;
use tether::model::retry::{parse_retry_after, parse_retry_after_ms};
use tether::model::{ModelError, ProviderEnv, RetryPolicy, default_handle, model_name, resolve};

fn config_error(handle: &str, env: &ProviderEnv) -> String {
    match resolve(handle, env) {
        Err(ModelError::Config(message)) => message,
        other => panic!("expected a Config error for {handle:?}, got {other:?}"),
    }
}

#[test]
fn unknown_provider_prefix_is_a_config_error_listing_the_forms() {
    let message = config_error("gemini/gemini-2.5-pro", &ProviderEnv::default());
    assert_eq!(
        message,
        "unknown model provider \"gemini\" in \"gemini/gemini-2.5-pro\": use openai/<model>, \
         anthropic/<model>, ollama/<model> or scripted"
    );
    assert!(config_error("gpt-4o", &ProviderEnv::default()).contains("openai/<model>"));
    assert!(config_error("openai/", &ProviderEnv::default()).contains("names no model"));
}

#[test]
fn missing_keys_are_config_errors_naming_the_variable() {
    let env = ProviderEnv::default();
    assert_eq!(
        config_error("openai/gpt-4o", &env),
        "OPENAI_API_KEY is not set: export it or pick another model with --model"
    );
    assert_eq!(
        config_error("anthropic/claude-sonnet-4-5", &env),
        "ANTHROPIC_API_KEY is not set: export it or pick another model with --model"
    );
    let error = resolve("anthropic/x", &env).expect_err("no key");
    assert!(!error.is_retryable());
    assert_eq!(error.stop_reason(), "error");
}

#[test]
fn keyless_endpoints_resolve() {
    let env = ProviderEnv {
        openai_base_url: "http://127.0.0.1:8080/v1".into(),
        ..ProviderEnv::default()
    };
    assert_eq!(resolve("openai/qwen3", &env).expect("compatible server").handle(), "openai/qwen3");
    assert_eq!(resolve("ollama/llama3.2", &env).expect("ollama").handle(), "ollama/llama3.2");
    assert_eq!(resolve("scripted", &env).expect("scripted").handle(), "scripted");
    assert_eq!(model_name("ollama/llama3.2:8b"), "llama3.2:8b");
    assert_eq!(model_name("scripted"), "scripted");
}

#[test]
fn keys_alone_do_not_pick_a_model() {
    let env = ProviderEnv {
        openai_api_key: Some("sk-a".into()),
        anthropic_api_key: Some("sk-b".into()),
        ..ProviderEnv::default()
    };
    assert_eq!(default_handle(&env), "scripted");
    assert_eq!(default_handle(&ProviderEnv::default()), "scripted");
}

#[test]
fn env_reads_variables_with_defaults_and_hides_keys() {
    let vars: HashMap<&str, &str> = HashMap::from([
        ("OPENAI_API_KEY", "sk-openai-secret"),
        ("ANTHROPIC_API_KEY", "sk-ant-secret"),
        ("OLLAMA_BASE_URL", "http://gpu-box:11434/v1"),
        ("ANTHROPIC_BASE_URL", " "),
    ]);
    let env = ProviderEnv::from_vars(|name| vars.get(name).map(|v| (*v).to_owned()));
    assert_eq!(
        env,
        ProviderEnv {
            openai_base_url: "https://api.openai.com/v1".into(),
            openai_api_key: Some("sk-openai-secret".into()),
            ollama_base_url: "http://gpu-box:11434/v1".into(),
            anthropic_base_url: "https://api.anthropic.com".into(),
            anthropic_api_key: Some("sk-ant-secret".into()),
        }
    );
    let debug = format!("{env:?}");
    assert!(!debug.contains("sk-openai-secret") && !debug.contains("sk-ant-secret"), "{debug}");
    let provider = resolve("openai/gpt-4o", &env).expect("resolve");
    assert!(!format!("{provider:?}").contains("sk-openai-secret"));
    assert_eq!(ProviderEnv::from_vars(|_| None), ProviderEnv::default());
}

#[test]
fn errors_are_classified_for_retries_and_stop_reasons() {
    let http = |status| ModelError::Http { status, message: String::new(), retry_after: None };
    let retryable: Vec<u16> = [400, 401, 402, 403, 404, 408, 409, 413, 429, 500, 502, 503, 529]
        .into_iter()
        .filter(|s| http(*s).is_retryable())
        .collect();
    assert_eq!(retryable, [408, 409, 429, 500, 502, 503, 529]);
    assert!(ModelError::Transport("reset".into()).is_retryable());
    assert!(ModelError::Stream("cut".into()).is_retryable());
    assert!(!ModelError::Config("no key".into()).is_retryable());

    assert_eq!(http(500).stop_reason(), "llm_api_error");
    assert_eq!(http(402).stop_reason(), "insufficient_credits");
    assert_eq!(ModelError::Transport("x".into()).stop_reason(), "llm_api_error");
    assert_eq!(ModelError::Stream("x".into()).stop_reason(), "invalid_llm_response");
    assert_eq!(
        ModelError::Http {
            status: 429,
            message: "slow".into(),
            retry_after: Some(Duration::from_secs(2))
        }
        .retry_after(),
        Some(Duration::from_secs(2))
    );
}

#[test]
fn retry_delays_double_honour_retry_after_and_are_capped() {
    let policy = RetryPolicy::default();
    assert_eq!(
        policy,
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30)
        }
    );
    let delays: Vec<u64> = (1..=7).map(|attempt| policy.delay(attempt, None).as_secs()).collect();
    assert_eq!(delays, [1, 2, 4, 8, 16, 30, 30]);
    assert_eq!(policy.delay(1, Some(Duration::from_secs(2))), Duration::from_secs(2));
    assert_eq!(policy.delay(3, Some(Duration::from_millis(250))), Duration::from_millis(250));
    assert_eq!(policy.delay(1, Some(Duration::from_secs(3600))), Duration::from_secs(30));
    assert_eq!(policy.delay(u32::MAX, None), Duration::from_secs(30));

    let overloaded = ModelError::Http { status: 529, message: String::new(), retry_after: None };
    let attempts: Vec<bool> = (1..=4).map(|a| policy.should_retry(a, &overloaded)).collect();
    assert_eq!(attempts, [true, true, true, false]);
    assert!(!policy.should_retry(1, &ModelError::Config(String::new())));
}

#[test]
fn retry_after_parses_seconds_and_http_dates() {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
    assert_eq!(parse_retry_after("2", now), Some(Duration::from_secs(2)));
    assert_eq!(parse_retry_after(" 1.5 ", now), Some(Duration::from_millis(1500)));
    assert_eq!(
        parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now),
        Some(Duration::from_secs(30))
    );
    assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now), Some(Duration::ZERO));
    assert_eq!(parse_retry_after("-1", now), None);
    assert_eq!(parse_retry_after("soon", now), None);
    assert_eq!(parse_retry_after_ms("1250"), Some(Duration::from_millis(1250)));
    assert_eq!(parse_retry_after_ms("NaN"), None);
}
