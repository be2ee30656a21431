// Cohesion Atlas static site: client-side search on the index, and a locator map on each area page.
// No library and no request outside the site: the search index and the boundaries are files beside this one.
(function () {
  "use strict";
  var here = document.currentScript ? document.currentScript.src : "";
  var assets = here.slice(0, here.lastIndexOf("/") + 1);
  var root = assets.replace(/assets\/$/, "");

  function getJSON(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) { throw new Error(url + ": HTTP " + r.status); }
      return r.json();
    });
  }

  // ---- search (index page): every LA and ward by English or Welsh name or by code
  function setUpSearch() {
    var input = document.getElementById("area-search");
    if (!input) { return; }
    var list = document.getElementById("search-results");
    var status = document.getElementById("search-status");
    var index = null, loading = null;
    function load() {
      loading = loading || getJSON(assets + "search.json").then(function (rows) { index = rows; return rows; });
      return loading;
    }
    function fold(text) { return (text || "").toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, ""); }
    function show() {
      var q = fold(input.value.trim());
      list.textContent = "";
      if (q.length < 2) { status.textContent = ""; return; }
      var hits = [];
      for (var i = 0; i < index.length; i++) {
        var r = index[i];
        var name = fold(r[1]), welsh = fold(r[2]), code = r[0].toLowerCase();
        if (name.indexOf(q) >= 0 || welsh.indexOf(q) >= 0 || code.indexOf(q) === 0) {
          var starts = name.indexOf(q) === 0 || welsh.indexOf(q) === 0 || code === q;
          hits.push([r[3] === "lad" ? 0 : 1, starts ? 0 : 1, r]);
        }
      }
      hits.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || (a[2][1] < b[2][1] ? -1 : 1); });
      var shown = hits.slice(0, 50);
      status.textContent = hits.length ? (hits.length + " match" + (hits.length === 1 ? "" : "es") + (hits.length > 50 ? "; the first 50 are shown" : "")) : "No local authority or ward has that in its name or code.";
      shown.forEach(function (h) {
        var r = h[2], li = document.createElement("li"), a = document.createElement("a");
        a.href = root + r[5];
        a.textContent = r[1] + (r[2] && r[2] !== r[1] ? " / " + r[2] : "");
        li.appendChild(a);
        var meta = document.createElement("span");
        meta.className = "hint";
        meta.textContent = " " + r[0] + " · " + (r[3] === "lad" ? "local authority" : "ward in " + r[4]);
        li.appendChild(meta);
        list.appendChild(li);
      });
    }
    input.addEventListener("focus", load);
    input.addEventListener("input", function () { load().then(show, function (e) { status.textContent = "The search index could not be read (" + e.message + ")."; }); });
  }

  // ---- locator (area pages): the area filled black among its neighbours, drawn from the shared boundary files
  function project(lon, lat, cosLat) { return [lon * cosLat, -lat]; }
  function ringsOf(geometry) {
    if (geometry.type === "Polygon") { return geometry.coordinates; }
    if (geometry.type === "MultiPolygon") { return [].concat.apply([], geometry.coordinates); }
    return [];
  }
  // fitAll: frame every feature (a ward within its whole LA); else frame the focus with room for its neighbours.
  function draw(box, features, focus, label, fitAll) {
    var cosLat = Math.cos(52.5 * Math.PI / 180);
    var minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity, paths = [];
    features.forEach(function (f) {
      var d = "";
      ringsOf(f.geometry).forEach(function (ring) {
        ring.forEach(function (pt, i) {
          var p = project(pt[0], pt[1], cosLat);
          if (fitAll || f.properties.area_code === focus) {
            minX = Math.min(minX, p[0]); maxX = Math.max(maxX, p[0]); minY = Math.min(minY, p[1]); maxY = Math.max(maxY, p[1]);
          }
          d += (i ? "L" : "M") + p[0].toFixed(4) + " " + p[1].toFixed(4);
        });
        d += "Z";
      });
      paths.push([f.properties.area_code, d]);
    });
    if (!isFinite(minX)) { return; }
    var pad = fitAll ? 0.05 : 0.6;
    var padX = Math.max((maxX - minX) * pad, 0.01), padY = Math.max((maxY - minY) * pad, 0.01);
    var svgNS = "http://www.w3.org/2000/svg", svg = document.createElementNS(svgNS, "svg");
    svg.setAttribute("viewBox", [minX - padX, minY - padY, maxX - minX + 2 * padX, maxY - minY + 2 * padY].join(" "));
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", label);
    svg.setAttribute("class", "locator-map");
    var title = document.createElementNS(svgNS, "title");
    title.textContent = label;
    svg.appendChild(title);
    paths.forEach(function (p) {
      var path = document.createElementNS(svgNS, "path");
      path.setAttribute("d", p[1]);
      path.setAttribute("class", p[0] === focus ? "focus" : "other");
      path.setAttribute("vector-effect", "non-scaling-stroke");
      svg.appendChild(path);
    });
    box.appendChild(svg);
    var caption = document.createElement("p");
    caption.className = "hint";
    caption.textContent = label + ". Boundaries: ONS (May 2025), OGL v3.0; contains OS data © Crown copyright and database right.";
    box.appendChild(caption);
  }
  function setUpLocator() {
    var box = document.getElementById("locator");
    if (!box) { return; }
    var code = box.getAttribute("data-area"), level = box.getAttribute("data-level"), parent = box.getAttribute("data-parent");
    var url = assets + "boundaries/" + (level === "ward" ? "wards/" + parent + ".json" : "lad.json");
    var label = level === "ward" ? "Where the ward lies in its local authority (black)" : "Where the local authority lies (black) among its neighbours";
    getJSON(url).then(function (fc) { draw(box, fc.features, code, label, level === "ward"); }, function () { box.textContent = ""; });
  }

  function start() { setUpSearch(); setUpLocator(); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
