//! Just enough shell syntax to apply `Bash(...)` rules safely: a compound command is
//! split into its simple commands, and anything we cannot judge is reported as such.

/// Redirect targets that cannot change a file (fd duplication, the bit bucket).
const HARMLESS_REDIRECT_TARGETS: [&str; 3] = ["/dev/null", "1", "2"];

/// The simple commands of `command` (split at `&&`, `||`, `;`, `|`, `&`, newlines),
/// whitespace-normalised; `None` when it uses substitution, process substitution,
/// redirection to a file, or unbalanced quotes, which no prefix rule may vouch for.
pub(crate) fn split_commands(command: &str) -> Option<Vec<String>> {
    let chars: Vec<char> = command.chars().collect();
    let mut segments = Vec::new();
    let mut current = String::new();
    let (mut single, mut double) = (false, false);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if single {
            single = c != '\'';
            current.push(c);
            i += 1;
            continue;
        }
        match c {
            '\\' => {
                current.push(c);
                current.extend(next);
                i += 2;
                continue;
            }
            '`' => return None,
            '$' if next == Some('(') => return None,
            '"' => double = !double,
            _ if double => {}
            '\'' => single = true,
            '<' | '>' if next == Some('(') => return None,
            '>' => {
                i = harmless_redirect(&chars, i)?;
                current.push(' ');
                continue;
            }
            '&' if next == Some('>') => {
                i = harmless_redirect(&chars, i + 1)?;
                current.push(' ');
                continue;
            }
            '&' | '|' | ';' | '\n' => {
                segments.push(std::mem::take(&mut current));
                // `&&` and `||` are one operator.
                if matches!((c, next), ('&', Some('&')) | ('|', Some('|'))) {
                    i += 1;
                }
                i += 1;
                continue;
            }
            _ => {}
        }
        current.push(c);
        i += 1;
    }
    if single || double {
        return None;
    }
    segments.push(current);
    Some(segments.iter().map(|s| normalize(s)).filter(|s| !s.is_empty()).collect())
}

/// Collapses whitespace so that `git  push` and `git push` are the same command.
pub(crate) fn normalize(command: &str) -> String {
    command.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Skips a `>`/`>>`/`>&` redirect starting at `start`, returning the index after its
/// target, or `None` if the target is a real file. A fd number before `>` (the `2` in
/// `2>&1`) stays in the segment text, which is harmless for matching.
fn harmless_redirect(chars: &[char], start: usize) -> Option<usize> {
    let mut i = start;
    while chars.get(i) == Some(&'>') {
        i += 1;
    }
    if chars.get(i) == Some(&'&') {
        i += 1;
    }
    while chars.get(i).is_some_and(|c| c.is_whitespace() && *c != '\n') {
        i += 1;
    }
    let begin = i;
    while chars.get(i).is_some_and(|c| !c.is_whitespace() && !"&|;<>".contains(*c)) {
        i += 1;
    }
    let target: String = chars[begin..i].iter().collect();
    HARMLESS_REDIRECT_TARGETS.contains(&target.as_str()).then_some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(command: &str) -> Option<Vec<&'static str>> {
        split_commands(command).map(|v| v.into_iter().map(|s| &*s.leak()).collect())
    }

    #[test]
    fn splits_compound_commands() {
        assert_eq!(split("npm test"), Some(vec!["npm test"]));
        assert_eq!(
            split("cd a &&  make ; ls | wc -l || true & sleep 1"),
            Some(vec!["cd a", "make", "ls", "wc -l", "true", "sleep 1"])
        );
        assert_eq!(split("echo 'a && b' \"c; d\""), Some(vec!["echo 'a && b' \"c; d\""]));
        assert_eq!(split("cargo test 2>&1 | tail"), Some(vec!["cargo test 2", "tail"]));
        assert_eq!(split("make >/dev/null 2>/dev/null"), Some(vec!["make 2"]));
    }

    #[test]
    fn refuses_what_it_cannot_judge() {
        assert_eq!(split("echo $(rm -rf /)"), None);
        assert_eq!(split("echo \"`id`\""), None);
        assert_eq!(split("npm test > out.txt"), None);
        assert_eq!(split("cat <(ls)"), None);
        assert_eq!(split("echo 'unterminated"), None);
        assert_eq!(split("ls &> log"), None);
    }
}
