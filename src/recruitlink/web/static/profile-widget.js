/*
 * recruitlink: the LinkedIn profile widget's callbacks on the candidate page.
 *
 * LinkedIn's SDK calls recruitlinkProfile.onLink(personUrn) / .onUnlink(personUrn) (the
 * widget element's data-onlink / data-onunlink); they persist the choice with a POST to the
 * element's data-link-url / data-unlink-url, with the page's CSRF token (meta csrf-token),
 * and show the outcome in #li-link-status and #li-member.
 */
(function () {
  "use strict";

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function show(text, failed) {
    var status = document.getElementById("li-link-status");
    if (status) {
      status.textContent = text;
      status.className = failed ? "field-error" : "muted";
    }
  }

  function member(person, method) {
    var cell = document.getElementById("li-member");
    if (!cell) { return; }
    cell.setAttribute("data-person", person || "");
    cell.setAttribute("data-method", method || "");
    cell.textContent = person ? person + " (linked in the LinkedIn profile widget)"
                              : "not linked (unlinked in the LinkedIn profile widget)";
  }

  function send(attribute, body) {
    var element = document.querySelector(".li-profile-widget");
    var url = element && element.getAttribute(attribute);
    if (!url) { return Promise.reject(new Error("no " + attribute + " on the widget")); }
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf()},
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var message = (data && data.error && data.error.message) ||
                        ("the server answered " + response.status);
          throw new Error(message);
        }
        return data;
      });
    });
  }

  window.recruitlinkProfile = {
    onLink: function (person) {
      show("Saving the link…");
      return send("data-link-url", {person_urn: person}).then(function (data) {
        member(data.person_urn, data.match_method);
        show("Linked to " + data.person_urn + ". It syncs to LinkedIn with the next sync.");
      }).catch(function (error) { show("Could not save the link: " + error.message, true); });
    },
    onUnlink: function (person) {
      show("Saving the unlink…");
      return send("data-unlink-url", {person_urn: person}).then(function () {
        member("", "unlinked");
        show("Unlinked. It syncs to LinkedIn with the next sync.");
      }).catch(function (error) { show("Could not save the unlink: " + error.message, true); });
    }
  };
})();
