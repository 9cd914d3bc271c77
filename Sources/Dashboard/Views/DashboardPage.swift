import Foundation
import Plots

/// The live dashboard page: server-rendered, self-contained (inline CSS, a few lines of inline JS
/// polling `/api/fragments` and swapping the tables and SVGs in place).
public enum DashboardPage {
    /// Shared stylesheet (also used by the report).
    public static let css = """
    body{font-family:system-ui,sans-serif;margin:16px 24px;color:#222;background:#fafafa}
    h1{font-size:20px;margin:0 0 8px}h2{font-size:16px;margin:22px 0 8px}
    dl.overview{display:flex;flex-wrap:wrap;gap:8px;margin:0}dl.overview div{background:#fff;border:1px solid #ddd;border-radius:6px;padding:6px 10px}
    dt{font-size:11px;color:#666}dd{margin:0;font-weight:600}
    table{border-collapse:collapse;background:#fff;font-size:12px}th,td{border:1px solid #ddd;padding:3px 7px;text-align:right}
    th{background:#f0f0f0}td:first-child,th:first-child{text-align:left}tr.bad td{background:#fde8e8}tr.best td{background:#e8f6e8}
    .plots{display:flex;flex-wrap:wrap;gap:10px}.plot{background:#fff;border:1px solid #ddd;border-radius:6px}
    .muted{color:#777;font-size:12px}#stamp{font-size:11px;color:#888}
    """

    /// The whole page for `snapshot`. `refreshSeconds` = poll interval of the inline script.
    public static func html(_ s: RunSnapshot, refreshSeconds: Int = 5) -> String {
        let plots = DashboardPlots.names(s).map { name in
            "<div class=\"plot\" data-plot=\"\(SVGText.escape(name))\">\(DashboardPlots.svg(name, snapshot: s) ?? "")</div>"
        }.joined()
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>AutoLFADS · \(SVGText.escape(s.run.name))</title>
        <style>\(css)</style></head><body>
        <h1>AutoLFADS run <span id="run-name">\(SVGText.escape(s.run.name))</span></h1>
        <div id="overview">\(HTMLFragments.overview(s))</div>
        <h2>Plots</h2><div class="plots" id="plots">\(plots)</div>
        \(s.evaluation.map { "<h2>Best model</h2><div id=\"best-model\">" + HTMLFragments.nlbMetrics($0) + "</div>" } ?? "")
        <h2>Population</h2><div id="workers">\(HTMLFragments.workers(s))</div>
        <h2>Clients and slots</h2><div id="processes">\(HTMLFragments.processes(s))</div>
        <h2>Failed jobs</h2><div id="problems">\(HTMLFragments.problems(s))</div>
        <h2>Decisions</h2><div id="decisions">\(HTMLFragments.decisions(s))</div>
        <p id="stamp">updated \(ISO8601DateFormatter().string(from: s.takenAt))</p>
        <script>
        (function(){
          const q = new URLSearchParams(location.search).get('token');
          const url = 'api/fragments' + (q ? '?token=' + encodeURIComponent(q) : '');
          async function poll(){
            try {
              const r = await fetch(url, {cache: 'no-store'}); if (!r.ok) throw new Error(r.status);
              const f = await r.json();
              for (const id of ['overview','workers','processes','problems','decisions']) document.getElementById(id).innerHTML = f[id];
              const box = document.getElementById('plots');
              for (const [name, svg] of Object.entries(f.plots)) {
                let el = box.querySelector('[data-plot="' + CSS.escape(name) + '"]');
                if (!el) { el = document.createElement('div'); el.className = 'plot'; el.dataset.plot = name; box.appendChild(el); }
                el.innerHTML = svg;
              }
              document.getElementById('stamp').textContent = 'updated ' + f.takenAt;
              document.body.dataset.polls = String(Number(document.body.dataset.polls || 0) + 1);
            } catch (e) { document.getElementById('stamp').textContent = 'update failed: ' + e.message; }
          }
          setTimeout(poll, 300);
          setInterval(poll, \(max(1, refreshSeconds)) * 1000);
        })();
        </script></body></html>
        """
    }

    /// What `/api/fragments` returns: the page's replaceable pieces.
    public struct Fragments: Codable, Sendable, Equatable {
        public var overview: String
        public var workers: String
        public var processes: String
        public var problems: String
        public var decisions: String
        public var plots: [String: String]
        public var takenAt: String
    }

    /// Fragments for `snapshot`.
    public static func fragments(_ s: RunSnapshot) -> Fragments {
        var plots: [String: String] = [:]
        for name in DashboardPlots.names(s) { plots[name] = DashboardPlots.svg(name, snapshot: s) }
        return Fragments(overview: HTMLFragments.overview(s), workers: HTMLFragments.workers(s),
                         processes: HTMLFragments.processes(s), problems: HTMLFragments.problems(s),
                         decisions: HTMLFragments.decisions(s), plots: plots,
                         takenAt: ISO8601DateFormatter().string(from: s.takenAt))
    }
}
