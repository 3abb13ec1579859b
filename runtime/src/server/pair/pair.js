"use strict";
(async () => {
  const status = document.getElementById("status");
  const code = decodeURIComponent(location.hash.slice(1));
  history.replaceState(null, "", "/pair"); // keep the code out of history
  if (!code) { status.textContent = "This link has no pairing code. Run `tether pair` and scan the new code."; return; }
  try {
    const res = await fetch("/auth/pair", {
      method: "POST", credentials: "same-origin",
      headers: { "content-type": "application/json" }, body: JSON.stringify({ code }),
    });
    if (!res.ok) {
      document.body.dataset.failed = String(res.status);
      const reason = (await res.text()).trim();
      status.textContent = res.status === 401
        ? "This pairing link has expired or was already used. Run `tether pair` on your computer and scan the new code."
        : "Pairing failed: " + reason;
      return;
    }
    const device = await res.json();
    document.body.dataset.paired = device.device_id;
    status.textContent = "Paired as " + device.name + ". Opening tether…";
    location.replace("/");
  } catch (err) {
    status.textContent = "Pairing failed: " + err;
  }
})();
