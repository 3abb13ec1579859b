//! The system prompt a turn sends: the agent's own, plus where it works and the
//! project's `AGENTS.md`.

use std::path::Path;

/// Used when an agent was created without a system prompt.
pub const DEFAULT_SYSTEM: &str = "You are a coding agent running on the user's own machine through tether. \
You can read, search and edit files and run shell commands in the working directory with your tools. \
Work carefully: prefer small, verifiable steps, read before you edit, and say what you changed. \
Some tool calls need the user's approval; if one is denied, respect that and adapt.";

/// Largest `AGENTS.md` included in full; a bigger one is cut with a note.
const MAX_AGENTS_MD_BYTES: usize = 64 * 1024;

/// The agent's system prompt with the working directory and `AGENTS.md` appended.
pub fn system_prompt(agent_system: &str, cwd: &Path) -> String {
    let base = if agent_system.trim().is_empty() { DEFAULT_SYSTEM } else { agent_system };
    let mut prompt = format!("{base}\n\n# Environment\nWorking directory: {}\n", cwd.display());
    if let Some(agents_md) = read_agents_md(cwd) {
        prompt.push_str("\n# Project instructions (AGENTS.md)\n");
        prompt.push_str(&agents_md);
        prompt.push('\n');
    }
    prompt
}

fn read_agents_md(cwd: &Path) -> Option<String> {
    let bytes = std::fs::read(cwd.join("AGENTS.md")).ok()?;
    let mut text = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_AGENTS_MD_BYTES)]).into_owned();
    if bytes.len() > MAX_AGENTS_MD_BYTES {
        text.push_str("\n[AGENTS.md truncated]");
    }
    Some(text)
}
