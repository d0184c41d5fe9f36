// The admin's segments page (templates/admin/segments/kind.html): charts drawn with Chart.js
// (package.json, `make vendor`) from the data its tables show (json_script "segments-data").
// Without the library the tables are the page.

const data = JSON.parse(document.getElementById("segments-data").textContent);
const PALETTE = ["#417690", "#e07b39", "#6a9f3a", "#a34f9c", "#d4a72c", "#3d9fa8", "#c2485b", "#7b61ff", "#8a8a8a", "#b5651d"];

function css(name, fallback) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

function draw(name, config) {
  const figure = document.querySelector(`[data-chart="${name}"]`);
  if (!figure) return;
  const canvas = figure.querySelector("canvas");
  canvas.hidden = false;
  new window.Chart(canvas, config);
  figure.dataset.drawn = "true";
}

const common = {
  responsive: true,
  maintainAspectRatio: false,
  animation: false,
  plugins: { legend: { display: false } },
};

function barsBySegment(name, label, values, color, unit) {
  const segments = data.segments;
  draw(name, {
    type: "bar",
    data: {
      labels: segments.map((s) => s.name),
      datasets: [{ label, data: values, backgroundColor: color, borderRadius: 3 }],
    },
    options: {
      ...common,
      indexAxis: "y",
      scales: { x: { beginAtZero: true, title: { display: Boolean(unit), text: unit } } },
    },
  });
}

function drawRfm() {
  const segments = data.segments;
  barsBySegment("recency", "Median days since last active", segments.map((s) => s.recency_days), PALETTE[1], "days");
  barsBySegment("frequency", "Median active days", segments.map((s) => s.active_days), PALETTE[2], "active days");
  barsBySegment("monetary", "Median spend", segments.map((s) => s.spend), PALETTE[3], "spend");
}

function drawBehaviour() {
  const ks = Object.keys(data.silhouettes || {});
  draw("silhouettes", {
    type: "bar",
    data: {
      labels: ks.map((k) => `k = ${k}`),
      datasets: [{
        label: "Silhouette",
        data: ks.map((k) => data.silhouettes[k]),
        backgroundColor: ks.map((k) => (Number(k) === data.k ? PALETTE[0] : "#b8c7d1")),
        borderRadius: 3,
      }],
    },
    options: { ...common, scales: { y: { beginAtZero: true, title: { display: true, text: "silhouette (higher separates better)" } } } },
  });
  const profiles = data.profiles || { categories: [], rows: {} };
  const clusters = data.segments.filter((s) => profiles.rows[s.key]);
  draw("profiles", {
    type: "bar",
    data: {
      labels: clusters.map((s) => s.name),
      datasets: profiles.categories.map((category, n) => ({
        label: category,
        data: clusters.map((s) => Math.round(profiles.rows[s.key][n] * 1000) / 10),
        backgroundColor: category === "Other" ? "#d0d0d0" : PALETTE[n % PALETTE.length],
      })),
    },
    options: {
      ...common,
      indexAxis: "y",
      plugins: { legend: { display: true, position: "bottom", labels: { boxWidth: 12 } } },
      scales: {
        x: { stacked: true, min: 0, max: 100, title: { display: true, text: "% of the cluster's engagements" } },
        y: { stacked: true },
      },
    },
  });
}

function drawCharts() {
  const Chart = window.Chart;
  if (!Chart) return; // the library did not load: the tables are the page
  Chart.defaults.color = css("--body-quiet-color", "#666");
  Chart.defaults.borderColor = css("--hairline-color", "#e8e8e8");
  Chart.defaults.font.family = css("--font-family-primary", "sans-serif");
  barsBySegment("sizes", "Shoppers", data.segments.map((s) => s.size), PALETTE[0], "shoppers");
  if (data.kind === "rfm") drawRfm();
  else drawBehaviour();
}

// Deferred scripts run in document order: the library, when installed, has loaded by now.
drawCharts();
