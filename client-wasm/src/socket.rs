//! The WebSocket underneath: the browser's global `WebSocket`, or a constructor the
//! caller passes (the `ws` package in Node), driven through its `on*` properties.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::error::ClientError;

/// Subprotocol tether selects when a browser offers a token this way.
const SUBPROTOCOL: &str = "tether.v1";
/// Prefix of the subprotocol that carries the token (browsers cannot set headers).
const BEARER_PREFIX: &str = "tether.bearer.";

/// Close code for a connection that failed or dropped without a close frame (RFC 6455).
const ABNORMAL_CLOSE: u16 = 1006;

#[wasm_bindgen]
extern "C" {
    /// Anything shaped like a WHATWG WebSocket (browsers, undici, `ws`).
    #[derive(Clone)]
    pub(crate) type JsSocket;
    #[wasm_bindgen(method, catch, structural)]
    fn send(this: &JsSocket, data: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch, structural)]
    fn close(this: &JsSocket) -> Result<(), JsValue>;
    #[wasm_bindgen(method, structural, setter)]
    fn set_onopen(this: &JsSocket, f: &JsValue);
    #[wasm_bindgen(method, structural, setter)]
    fn set_onmessage(this: &JsSocket, f: &JsValue);
    #[wasm_bindgen(method, structural, setter)]
    fn set_onclose(this: &JsSocket, f: &JsValue);
    #[wasm_bindgen(method, structural, setter)]
    fn set_onerror(this: &JsSocket, f: &JsValue);
}

/// How sockets are made and how the token travels.
#[derive(Clone, Default)]
pub(crate) enum Transport {
    /// `globalThis.WebSocket`; a token goes as subprotocols `tether.v1, tether.bearer.<token>`.
    #[default]
    Global,
    /// A `ws`-style constructor `new C(url, protocols, {headers})`; a token goes as
    /// `Authorization: Bearer <token>`.
    Constructor(js_sys::Function),
}

/// Why the socket closed, as the close event says.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct CloseInfo {
    /// The close code (1006 when the connection failed or dropped).
    pub code: u16,
    /// The close reason, often empty.
    pub reason: String,
}

/// What the socket tells its owner.
pub(crate) struct Handlers {
    pub(crate) on_open: Box<dyn FnMut()>,
    pub(crate) on_text: Box<dyn FnMut(String)>,
    pub(crate) on_close: Box<dyn FnMut(CloseInfo)>,
}

/// An open (or opening) socket with its callbacks; dropping it detaches them and closes.
pub(crate) struct Socket {
    js: JsSocket,
    _open: Closure<dyn FnMut(JsValue)>,
    _message: Closure<dyn FnMut(JsValue)>,
    _close: Closure<dyn FnMut(JsValue)>,
    _error: Closure<dyn FnMut(JsValue)>,
}

impl Socket {
    /// Opens a socket to `url`, authenticating with `token` the way `transport` allows.
    pub(crate) fn open(transport: &Transport, url: &str, token: Option<&str>, handlers: Handlers) -> Result<Socket, ClientError> {
        let args = Array::new();
        args.push(&JsValue::from_str(url));
        let ctor: js_sys::Function = match transport {
            Transport::Global => {
                if let Some(token) = token {
                    let protocols = Array::new();
                    protocols.push(&JsValue::from_str(SUBPROTOCOL));
                    protocols.push(&JsValue::from_str(&format!("{BEARER_PREFIX}{token}")));
                    args.push(&protocols);
                }
                let global = Reflect::get(&js_sys::global(), &JsValue::from_str("WebSocket")).unwrap_or(JsValue::UNDEFINED);
                if !global.is_function() {
                    return Err(ClientError::Socket("no global WebSocket here: pass a WebSocket constructor (e.g. the ws package)".into()));
                }
                global.unchecked_into()
            }
            Transport::Constructor(ctor) => {
                if let Some(token) = token {
                    let headers = Object::new();
                    set(&headers, "Authorization", &JsValue::from_str(&format!("Bearer {token}")))?;
                    let options = Object::new();
                    set(&options, "headers", &headers)?;
                    args.push(&Array::new());
                    args.push(&options);
                }
                ctor.clone()
            }
        };
        let js: JsSocket = Reflect::construct(&ctor, &args).map_err(|e| ClientError::Socket(describe(&e)))?.unchecked_into();
        let Handlers { mut on_open, mut on_text, on_close } = handlers;
        let open = Closure::<dyn FnMut(JsValue)>::new(move |_event: JsValue| on_open());
        let message = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let data = Reflect::get(&event, &JsValue::from_str("data")).unwrap_or(JsValue::UNDEFINED);
            if let Some(text) = data.as_string() {
                on_text(text);
            }
        });
        // Node 20's built-in WebSocket fires only `error` when the handshake is refused, so
        // an error counts as the drop; the owner retires the socket, so a later `close`
        // event finds no listener and is not counted twice.
        let on_close = std::rc::Rc::new(std::cell::RefCell::new(on_close));
        let on_error = on_close.clone();
        let close = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let code = Reflect::get(&event, &JsValue::from_str("code")).ok().and_then(|c| c.as_f64()).unwrap_or(f64::from(ABNORMAL_CLOSE));
            let reason = Reflect::get(&event, &JsValue::from_str("reason")).ok().and_then(|r| r.as_string()).unwrap_or_default();
            (on_close.borrow_mut())(CloseInfo { code: code as u16, reason });
        });
        let error = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let reason = Reflect::get(&event, &JsValue::from_str("message")).ok().and_then(|r| r.as_string()).unwrap_or_default();
            (on_error.borrow_mut())(CloseInfo { code: ABNORMAL_CLOSE, reason });
        });
        js.set_onopen(open.as_ref());
        js.set_onmessage(message.as_ref());
        js.set_onclose(close.as_ref());
        js.set_onerror(error.as_ref());
        Ok(Socket { js, _open: open, _message: message, _close: close, _error: error })
    }

    /// Sends one text frame.
    pub(crate) fn send(&self, text: &str) -> Result<(), ClientError> {
        self.js.send(text).map_err(|e| ClientError::Socket(describe(&e)))
    }
}

impl Socket {
    /// Detaches the callbacks and closes now; frees them later, as one may be running.
    pub(crate) fn retire(self) {
        self.detach();
        crate::timer::drop_later(self);
    }

    fn detach(&self) {
        for detach in [JsSocket::set_onopen, JsSocket::set_onmessage, JsSocket::set_onclose] {
            detach(&self.js, &JsValue::NULL);
        }
        // `ws` throws an 'error' nobody listens to (e.g. closed while connecting), so a
        // harmless builtin listens from now on (no closure that could be freed under it).
        self.js.set_onerror(&Reflect::get(&js_sys::global(), &JsValue::from_str("Boolean")).unwrap_or(JsValue::NULL));
        let _ = self.js.close();
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.detach();
    }
}

fn set(target: &Object, key: &str, value: &JsValue) -> Result<(), ClientError> {
    Reflect::set(target, &JsValue::from_str(key), value).map(drop).map_err(|e| ClientError::Socket(describe(&e)))
}

/// A JS exception as text.
pub(crate) fn describe(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}
