mod harness;
mod info;
mod model_anthropic;
mod model_fake;
mod model_openai;
mod model_scripted;
mod transport;
