//! Seeing and revoking paired devices over HTTP, as the web UI does: `GET /auth/devices`
//! and `POST /auth/devices/revoke` with the bearer token or a device's cookie from our own
//! origin, over real TLS sockets to a real runtime.

use serde_json::{json, Value};

use super::lan::{assert_alive, bearer, close_code, header, refused, Lan};

/// `GET /auth/devices` from 127.0.0.1: (status, head, body).
async fn list(lan: &Lan, headers: &[(&str, String)]) -> (u16, String, String) {
    lan.https([127, 0, 0, 1], "GET", "/auth/devices", headers, "").await
}

/// The web UI's headers for a device: its cookie and our own origin.
fn as_page(lan: &Lan, cookie: &str) -> Vec<(&'static str, String)> {
    vec![("Cookie", cookie.to_owned()), ("Origin", lan.own_origin())]
}

/// The listed devices (status 200 asserted).
async fn devices(lan: &Lan, headers: &[(&str, String)]) -> Vec<Value> {
    let (status, _, body) = list(lan, headers).await;
    assert_eq!(status, 200, "{body}");
    let answer: Value = serde_json::from_str(&body).expect("json");
    answer["devices"].as_array().expect("devices array").clone()
}

/// The id of the device a cookie belongs to, from its own listing.
async fn own_id(lan: &Lan, cookie: &str) -> String {
    let listed = devices(lan, &as_page(lan, cookie)).await;
    let mine: Vec<_> = listed.iter().filter(|d| d["current"] == true).collect();
    assert_eq!(mine.len(), 1, "exactly one current device: {listed:?}");
    mine[0]["id"].as_str().expect("id").to_owned()
}

/// `POST /auth/devices/revoke` for `id` with these headers: (status, head, body).
async fn revoke(lan: &Lan, headers: &[(&str, String)], id: &str) -> (u16, String, String) {
    let mut headers = headers.to_vec();
    headers.push(("Content-Type", "application/json".into()));
    lan.https([127, 0, 0, 1], "POST", "/auth/devices/revoke", &headers, &json!({ "id": id }).to_string()).await
}

#[tokio::test]
async fn the_device_list_refuses_what_the_socket_refuses() {
    let lan = Lan::start(&[]);
    let cookie = lan.paired_cookie().await;
    let (status, _, body) = list(&lan, &[]).await;
    assert_eq!(status, 401);
    assert!(body.contains("missing credential"), "{body}");
    let (status, _, body) = list(&lan, &[("Authorization", "Bearer not-the-token".into())]).await;
    assert_eq!(status, 401);
    assert!(body.contains("invalid token"), "{body}");
    // A valid cookie from another site's page.
    let (status, head, body) = list(&lan, &[("Cookie", cookie.clone()), ("Origin", "https://evil.example".into())]).await;
    assert_eq!(status, 403);
    assert!(body.contains("not allowed"), "{body}");
    assert_eq!(header(&head, "x-frame-options").as_deref(), Some("DENY"), "refusals carry the security headers");
    // A cookie alone (no Origin, no fetch metadata) is not a page of ours.
    assert_eq!(list(&lan, &[("Cookie", cookie.clone())]).await.0, 401);
    // A rebinding host name is not ours even when the browser says same-origin.
    let rebound = [("Cookie", cookie.clone()), ("Sec-Fetch-Site", "same-origin".into()), ("Host", format!("evil.example:{}", lan.port()))];
    assert_eq!(list(&lan, &rebound).await.0, 401);
    // What browsers send for a same-origin GET: no Origin, `Sec-Fetch-Site: same-origin`.
    let listed = devices(&lan, &[("Cookie", cookie.clone()), ("Sec-Fetch-Site", "same-origin".into())]).await;
    assert_eq!(listed.len(), 1);
    // A cross-site fetch of the list with the cookie is refused.
    assert_eq!(list(&lan, &[("Cookie", cookie.clone()), ("Sec-Fetch-Site", "cross-site".into())]).await.0, 401);
}

#[tokio::test]
async fn refused_device_requests_count_toward_the_throttle() {
    let lan = Lan::start(&[]);
    let mut statuses = Vec::new();
    for _ in 0..11 {
        let (status, _, _) = lan.https([127, 0, 0, 3], "GET", "/auth/devices", &[("Authorization", "Bearer wrong".into())], "").await;
        statuses.push(status);
    }
    assert_eq!(statuses, [vec![401; 10], vec![429]].concat());
    // Revoking is throttled for that address too, even with a correct token.
    let (status, _, _) =
        lan.https([127, 0, 0, 3], "POST", "/auth/devices/revoke", &[bearer()], &json!({ "id": "device-x" }).to_string()).await;
    assert_eq!(status, 429);
}

#[tokio::test]
async fn the_list_marks_the_callers_device_and_never_shows_a_credential() {
    let lan = Lan::start(&[]);
    let first = lan.paired_cookie().await;
    let second = lan.paired_cookie().await;
    let (status, head, body) = list(&lan, &as_page(&lan, &first)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(header(&head, "content-type").as_deref(), Some("application/json"));
    assert_eq!(header(&head, "cache-control").as_deref(), Some("no-store"));
    assert!(header(&head, "content-security-policy").is_some_and(|csp| csp.contains("default-src 'self'")), "{head}");
    assert_eq!(header(&head, "x-content-type-options").as_deref(), Some("nosniff"));
    for cookie in [&first, &second] {
        let credential = cookie.split_once('=').expect("name=value").1;
        assert!(!body.contains(credential), "a credential leaked into the list");
    }
    let listed: Value = serde_json::from_str(&body).expect("json");
    let listed = listed["devices"].as_array().expect("devices");
    assert_eq!(listed.len(), 2);
    for device in listed {
        for field in ["id", "name", "first_seen", "last_seen"] {
            assert!(device[field].as_str().is_some_and(|v| !v.is_empty()), "{field} in {device}");
        }
    }
    let first_id = own_id(&lan, &first).await;
    let second_id = own_id(&lan, &second).await;
    assert_ne!(first_id, second_id);
    // The bearer token (the CLI) sees every device, none of them its own.
    let all = devices(&lan, &[bearer()]).await;
    assert_eq!(all.iter().map(|d| d["id"].as_str().expect("id")).collect::<Vec<_>>(), [first_id.as_str(), second_id.as_str()]);
    assert!(all.iter().all(|d| d["current"] == false), "{all:?}");
}

#[tokio::test]
async fn a_device_revokes_another_with_its_cookie_and_the_other_is_cut_off() {
    let lan = Lan::start(&[]);
    let phone = lan.paired_cookie().await;
    let laptop = lan.paired_cookie().await;
    let laptop_id = own_id(&lan, &laptop).await;
    let mut laptop_socket = lan.ws([127, 0, 0, 1], "/ws", &as_page(&lan, &laptop)).await.expect("laptop socket");
    assert_alive(&mut laptop_socket).await;
    let mut phone_socket = lan.ws([127, 0, 0, 1], "/ws", &as_page(&lan, &phone)).await.expect("phone socket");

    // A foreign page holding the phone's cookie cannot revoke anything.
    let (status, _, _) = revoke(&lan, &[("Cookie", phone.clone()), ("Origin", "https://evil.example".into())], &laptop_id).await;
    assert_eq!(status, 403);
    assert_alive(&mut laptop_socket).await;

    let (status, head, body) = revoke(&lan, &as_page(&lan, &phone), &laptop_id).await;
    assert_eq!(status, 200, "{body}");
    let answer: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(answer, json!({ "id": laptop_id, "revoked": true, "closed_sockets": 1, "current": false }));
    assert!(header(&head, "set-cookie").is_none(), "the phone keeps its own cookie");
    assert_eq!(close_code(&mut laptop_socket).await, Some(4401));

    let (status, _, body) = list(&lan, &as_page(&lan, &laptop)).await;
    assert_eq!(status, 401);
    assert!(body.contains("revoked"), "{body}");
    let (status, _) = refused(lan.ws([127, 0, 0, 1], "/ws", &as_page(&lan, &laptop)).await);
    assert_eq!(status, 401);
    // The phone carries on and no longer sees the laptop.
    assert_alive(&mut phone_socket).await;
    let left = devices(&lan, &as_page(&lan, &phone)).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["current"], true);
}

#[tokio::test]
async fn a_device_can_revoke_itself_and_its_cookie_is_cleared() {
    let lan = Lan::start(&[]);
    let phone = lan.paired_cookie().await;
    let phone_id = own_id(&lan, &phone).await;
    let mut socket = lan.ws([127, 0, 0, 1], "/ws", &as_page(&lan, &phone)).await.expect("socket");
    assert_alive(&mut socket).await;
    let (status, head, body) = revoke(&lan, &as_page(&lan, &phone), &phone_id).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"current\":true"), "{body}");
    let cleared = header(&head, "set-cookie").expect("cookie cleared");
    assert!(cleared.starts_with("tether_session=;") && cleared.contains("Max-Age=0"), "{cleared}");
    assert_eq!(close_code(&mut socket).await, Some(4401));
    assert_eq!(list(&lan, &as_page(&lan, &phone)).await.0, 401);
    // The token still works, and revoking an unknown or revoked id says so.
    let (status, _, body) = revoke(&lan, &[bearer()], &phone_id).await;
    assert_eq!(status, 200);
    assert!(body.contains("\"revoked\":false"), "{body}");
    assert!(devices(&lan, &[bearer()]).await.is_empty());
}
