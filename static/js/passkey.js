// WebAuthn glue for the hosted pages (no inline script, so it fits the page CSP).
//
// A button with `data-passkey="get"` or `data-passkey="create"` runs a ceremony: it posts its own form's fields to
// the URL in `data-options`, passes the answer to navigator.credentials, and submits the form named in
// `data-finish` with `ceremony` and `credential` filled in. The server decides everything; this file only carries
// bytes between the server and the authenticator. An identifier input with `autocomplete="… webauthn"` also gets
// passkey autofill (conditional mediation) where the browser supports it.
(function () {
  "use strict";

  function toBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    var binary = atob(base64 + "===".slice((base64.length + 3) % 4));
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    if (!buffer) { return null; }
    var bytes = new Uint8Array(buffer), binary = "";
    for (var i = 0; i < bytes.length; i++) { binary += String.fromCharCode(bytes[i]); }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function decodeOptions(publicKey) {
    publicKey.challenge = toBytes(publicKey.challenge);
    if (publicKey.user) { publicKey.user.id = toBytes(publicKey.user.id); }
    ["allowCredentials", "excludeCredentials"].forEach(function (list) {
      (publicKey[list] || []).forEach(function (c) { c.id = toBytes(c.id); });
    });
    return publicKey;
  }

  function encodeCredential(credential) {
    var r = credential.response, response = { clientDataJSON: toBase64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toBase64url(r.attestationObject);
      if (r.getTransports) { response.transports = r.getTransports(); }
    } else {
      response.authenticatorData = toBase64url(r.authenticatorData);
      response.signature = toBase64url(r.signature);
      response.userHandle = toBase64url(r.userHandle);
    }
    return JSON.stringify({
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      response: response,
      extensions: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {}
    });
  }

  function say(message) {
    var box = document.getElementById("passkey-message");
    if (box) { box.textContent = message; box.hidden = false; }
  }

  function explain(error) {
    if (error && error.name === "NotAllowedError") {
      return "The passkey request was cancelled or timed out. Try again, or choose another way.";
    }
    if (error && error.name === "InvalidStateError") {
      return "This device already holds a passkey for this account.";
    }
    if (error && error.name === "AbortError") { return null; }
    return (error && error.serverMessage) || "Passkeys did not work here. Try again, or choose another way.";
  }

  // Only what the options endpoints read: never a password typed into the same form.
  var OPTION_FIELDS = ["csrf_token", "request", "identifier", "registration"];

  function fetchOptions(url, form, fields) {
    var body = new URLSearchParams();
    OPTION_FIELDS.forEach(function (name) {
      if (form.elements[name]) { body.set(name, form.elements[name].value); }
    });
    Object.keys(fields || {}).forEach(function (k) { body.set(k, fields[k]); });
    return fetch(url, { method: "POST", body: body, credentials: "same-origin" }).then(function (res) {
      return res.json().then(function (data) {
        if (!res.ok) { var e = new Error("refused"); e.serverMessage = data.error_description; throw e; }
        return data;
      });
    });
  }

  function finish(finishForm, ceremony, credential) {
    finishForm.elements.ceremony.value = ceremony;
    finishForm.elements.credential.value = encodeCredential(credential);
    finishForm.submit();
  }

  var supported = !!(window.PublicKeyCredential && navigator.credentials);
  // The pending autofill request, if any: `{controller, settled}`. A browser allows one WebAuthn request at a
  // time, so a button press aborts it and waits for it to settle before asking again.
  var autofill = null;

  function stopAutofill() {
    if (!autofill) { return Promise.resolve(); }
    var settled = autofill.settled;
    autofill.controller.abort();
    autofill = null;
    return settled;
  }

  function run(button) {
    var kind = button.getAttribute("data-passkey");
    var finishForm = document.getElementById(button.getAttribute("data-finish"));
    if (!supported) { say("This browser does not support passkeys. Choose another way."); return; }
    button.disabled = true;
    stopAutofill().then(function () {
      return fetchOptions(button.getAttribute("data-options"), button.form);
    }).then(function (data) {
      var publicKey = decodeOptions(data.publicKey);
      var call = kind === "create" ? navigator.credentials.create({ publicKey: publicKey })
                                   : navigator.credentials.get({ publicKey: publicKey });
      return call.then(function (credential) { finish(finishForm, data.ceremony, credential); });
    }).catch(function (error) {
      var message = explain(error);
      if (message) { say(message); }
    }).then(function () { button.disabled = false; });
  }

  function startAutofill(button) {
    if (!supported || !PublicKeyCredential.isConditionalMediationAvailable) { return; }
    PublicKeyCredential.isConditionalMediationAvailable().then(function (available) {
      if (!available) { return; }
      var finishForm = document.getElementById(button.getAttribute("data-finish"));
      return fetchOptions(button.getAttribute("data-options"), button.form, { identifier: "" }).then(function (data) {
        var controller = new AbortController();
        var request = navigator.credentials.get({
          publicKey: decodeOptions(data.publicKey), mediation: "conditional", signal: controller.signal
        });
        autofill = { controller: controller, settled: request.then(function () {}, function () {}) };
        return request.then(function (credential) { finish(finishForm, data.ceremony, credential); });
      });
    }).catch(function () {
      // Autofill is an extra: when it fails or is aborted, the button still works.
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("[data-passkey]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.hidden = false;
      button.addEventListener("click", function (event) { event.preventDefault(); run(button); });
      // A form whose only way on is a passkey (a passkey-only pool): Enter in its field runs the passkey button
      // instead of posting a form the server can only refuse.
      var form = button.form;
      if (form && !form.querySelector("button[type=submit], button:not([type]), input[type=submit]")) {
        form.addEventListener("submit", function (event) { event.preventDefault(); run(button); });
      }
      if (button.hasAttribute("data-autofill") && document.querySelector("input[autocomplete~=webauthn]")) {
        startAutofill(button);
      }
    });
  });
})();
