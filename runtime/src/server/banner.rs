//! What `tether app-server` and `tether pair` print: the pairing link, its QR code, and
//! the certificate fingerprint to compare on the phone.

use std::io::Write;

use qrcode::render::unicode::Dense1x2;
use qrcode::QrCode;

/// The link as a QR code drawn with Unicode half blocks (light on dark, for the usual
/// dark terminal), or `None` if the link is too long to encode.
pub fn qr_code(link: &str) -> Option<String> {
    let code = QrCode::new(link.as_bytes()).ok()?;
    Some(code.render::<Dense1x2>().dark_color(Dense1x2::Light).light_color(Dense1x2::Dark).quiet_zone(true).build())
}

/// Prints a pairing link with its QR code, expiry and the certificate fingerprint.
pub fn print_pairing(out: &mut impl Write, link: &str, ttl_secs: i64, fingerprint: Option<&str>) {
    let _ = writeln!(out, "Pair a phone: scan this code, or open the link (works once, for {} minutes):", ttl_secs / 60);
    let _ = writeln!(out, "  {link}");
    if let Some(qr) = qr_code(link) {
        let _ = writeln!(out, "{qr}");
    }
    if let Some(fingerprint) = fingerprint {
        let _ = writeln!(out, "Certificate SHA-256 fingerprint (check it in the browser's warning page):");
        let _ = writeln!(out, "  {fingerprint}");
    }
    let _ = writeln!(out, "Pair more devices later with `tether pair`; list and revoke them with `tether devices`.");
    let _ = out.flush();
}
