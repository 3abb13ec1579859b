mod harness;
mod info;
mod model_fake;
mod model_openai;
mod transport;
