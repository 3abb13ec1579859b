//! What `tether app-server` and `tether pair` print: the pairing link, its QR code, and
//! the certificate fingerprint to compare on the phone.

use std::io::{IsTerminal, Write};

use qrcode::render::unicode::Dense1x2;
use qrcode::QrCode;

/// ANSI black on white: a QR code reads the same on light and dark terminals.
const ANSI_BLACK_ON_WHITE: &str = "\x1b[30;107m";

/// ANSI reset.
const ANSI_RESET: &str = "\x1b[0m";

/// The link as a QR code drawn with Unicode half blocks, or `None` if the link is too
/// long to encode. On a terminal it is painted black on white (right on any theme);
/// otherwise drawn light on dark, for the usual dark terminal a log ends up in.
pub fn qr_code(link: &str, terminal: bool) -> Option<String> {
    let code = QrCode::new(link.as_bytes()).ok()?;
    if terminal {
        let drawn = code.render::<Dense1x2>().dark_color(Dense1x2::Dark).light_color(Dense1x2::Light).quiet_zone(true).build();
        Some(drawn.lines().map(|line| format!("{ANSI_BLACK_ON_WHITE}{line}{ANSI_RESET}")).collect::<Vec<_>>().join("\n"))
    } else {
        Some(code.render::<Dense1x2>().dark_color(Dense1x2::Light).light_color(Dense1x2::Dark).quiet_zone(true).build())
    }
}

/// Prints a pairing link with its QR code, expiry and the certificate fingerprint.
pub fn print_pairing(out: &mut impl Write, link: &str, ttl_secs: i64, fingerprint: Option<&str>) {
    let _ = writeln!(out, "Pair a phone: scan this code, or open the link (works once, for {} minutes):", ttl_secs / 60);
    let _ = writeln!(out, "  {link}");
    if let Some(qr) = qr_code(link, std::io::stdout().is_terminal()) {
        let _ = writeln!(out, "{qr}");
    }
    if let Some(fingerprint) = fingerprint {
        let _ = writeln!(out, "Certificate SHA-256 fingerprint (check it in the browser's warning page):");
        let _ = writeln!(out, "  {fingerprint}");
    }
    let _ = writeln!(out, "Pair more devices later with `tether pair`; list and revoke them with `tether devices`.");
    let _ = out.flush();
}
