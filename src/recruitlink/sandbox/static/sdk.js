/*
 * recruitlink sandbox: the JS SDK loader, standing in for LinkedIn's platform script.
 *
 * Include it on the host page with the customer (child) application's client id and the
 * extensions to load:
 *
 *   <script src="http://127.0.0.1:8080/sdk.js" data-api-key="CHILD_CLIENT_ID"
 *           data-extensions="ATSIntegrationWidget,HcmWidget"></script>
 *
 * (LinkedIn's own form, "api_key: ..." and "extensions: Name@url,..." lines inside the script
 * tag, is read too.) Widgets are elements the page places anywhere:
 *
 *   <div class="li-ats-integration-widget"
 *        data-supported-bundled-integration-types="RECRUITER_SYSTEM_CONNECT_COMPANY,RECRUITER_SYSTEM_CONNECT_CONTRACT"
 *        data-onintegrate="onIntegrate" data-width="600"></div>
 *   <div class="li-profile-widget" data-widget-type="ATS" data-ats-candidate-id="C1"
 *        data-integration-context="urn:li:organization:1001" data-onlink="onLink"
 *        data-onunlink="onUnlink" data-show-unlink-url="true" data-confirm-unlink="true"
 *        data-width="400"></div>
 *
 * Each becomes an iframe of the sandbox (inside the element). Callbacks are the names of
 * global functions: onintegrate(integrations) receives {"integrations": [...]}, onlink and
 * onunlink receive the person URN (and a detail object). IN.parse(root) renders widgets added
 * later. Messages are accepted only from the sandbox's origin and the widget's own iframe.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) { return; }
  var SANDBOX = new URL(script.src, location.href).origin;
  var INIT_ERROR = "Error trying to initialize the widget!";
  var MAX_HEIGHT = 640;
  var KINDS = {
    ATSIntegrationWidget: {selector: ".li-ats-integration-widget", page: "onboarding",
                           title: "LinkedIn integration setup"},
    HcmWidget: {selector: ".li-profile-widget", page: "profile", title: "LinkedIn profile"}
  };
  var CALLBACKS = {integrate: "data-onintegrate", link: "data-onlink", unlink: "data-onunlink"};
  var config = readConfig(script);
  var widgets = {};
  var counter = 0;

  function readConfig(tag) {
    var apiKey = tag.getAttribute("data-api-key") || "";
    var extensions = tag.getAttribute("data-extensions") || "";
    (tag.textContent || "").split(/\r?\n/).forEach(function (line) {
      var m = /^\s*([A-Za-z_]+)\s*:\s*(.*?)\s*$/.exec(line);
      if (!m) { return; }
      if (m[1] === "api_key" && !apiKey) { apiKey = m[2]; }
      if (m[1] === "extensions" && !extensions) { extensions = m[2]; }
    });
    var names = extensions.split(",").map(function (e) {
      return e.split("@")[0].trim();
    }).filter(function (name) { return Object.prototype.hasOwnProperty.call(KINDS, name); });
    return {apiKey: apiKey.trim(), extensions: names};
  }

  function flag(element, name) {
    if (!element.hasAttribute(name)) { return ""; }
    var value = (element.getAttribute(name) || "true").toLowerCase();
    return value === "false" || value === "0" ? "" : "1";
  }

  function size(value) {
    if (!value) { return ""; }
    return /^\d+$/.test(value) ? value + "px" : value;
  }

  function mount(element, kind) {
    var wid = "w" + (++counter);
    var params = new URLSearchParams();
    params.set("api_key", config.apiKey);
    params.set("origin", location.origin);
    params.set("wid", wid);
    if (kind.page === "onboarding") {
      params.set("types", element.getAttribute("data-supported-bundled-integration-types") || "");
    } else {
      params.set("widget_type", element.getAttribute("data-widget-type") || "ATS");
      params.set("candidate", element.getAttribute("data-ats-candidate-id") || "");
      params.set("context", element.getAttribute("data-integration-context") || "");
      params.set("show_unlink", flag(element, "data-show-unlink-url"));
      params.set("confirm_unlink", flag(element, "data-confirm-unlink"));
    }
    var iframe = document.createElement("iframe");
    iframe.src = SANDBOX + "/widgets/" + kind.page + "?" + params.toString();
    iframe.title = kind.title;
    iframe.name = "li-widget-" + wid;
    iframe.setAttribute("referrerpolicy", "origin");
    iframe.style.border = "0";
    iframe.style.display = "block";
    iframe.style.width = size(element.getAttribute("data-width")) || "100%";
    iframe.style.maxWidth = "100%";
    iframe.style.height = "220px";
    element.setAttribute("data-li-widget", wid);
    while (element.firstChild) { element.removeChild(element.firstChild); }
    element.appendChild(iframe);
    widgets[wid] = {element: element, iframe: iframe};
  }

  function parse(root) {
    root = root || document;
    config.extensions.forEach(function (name) {
      var kind = KINDS[name];
      Array.prototype.forEach.call(root.querySelectorAll(kind.selector), function (element) {
        if (!element.hasAttribute("data-li-widget")) { mount(element, kind); }
      });
    });
  }

  function resolve(name) {
    if (!name) { return null; }
    var target = window;
    var parts = name.split(".");
    for (var i = 0; i < parts.length; i++) {
      if (target == null) { return null; }
      target = target[parts[i]];
    }
    return typeof target === "function" ? target : null;
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== SANDBOX) { return; }
    var msg = event.data;
    if (!msg || msg.type !== "recruitlink-widget" || !widgets.hasOwnProperty(msg.widget)) {
      return;
    }
    var widget = widgets[msg.widget];
    if (event.source !== widget.iframe.contentWindow) { return; }
    if (msg.event === "resize") {
      var height = Math.min(Math.max(parseInt(msg.data && msg.data.height, 10) || 0, 80),
                            MAX_HEIGHT);
      widget.iframe.style.height = height + "px";
      return;
    }
    if (!CALLBACKS.hasOwnProperty(msg.event)) { return; }
    var callback = resolve(widget.element.getAttribute(CALLBACKS[msg.event]));
    if (!callback) { return; }
    try {
      if (msg.event === "integrate") {
        callback(msg.data);
      } else {
        callback(msg.data.person, msg.data);
      }
    } catch (error) {
      console.error(error);
    }
  });

  function init() {
    var params = new URLSearchParams({api_key: config.apiKey, origin: location.origin});
    fetch(SANDBOX + "/widgets/init?" + params.toString(), {credentials: "omit", mode: "cors"})
      .then(function (response) { if (!response.ok) { throw new Error(INIT_ERROR); } })
      .catch(function () { console.error(INIT_ERROR); });
    parse(document);
  }

  window.IN = window.IN || {};
  window.IN.parse = parse;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
