// The feed KPI dashboard's charts (templates/admin/kpis/dashboard.html), drawn with Chart.js
// (package.json, `make vendor`) from the data the page's tables show (json_script "kpi-data").
// Without the library the tables are the page. The last point of every series is today, still
// running: its line segment is dashed and its bar paler, so that a partial day does not read as a drop.

const data = JSON.parse(document.getElementById("kpi-data").textContent);
const PALETTE = ["#417690", "#e07a1f", "#2f9e5b", "#b8336a", "#7b61ff", "#8a8a8a", "#c9a227"];

function css(name, fallback) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

function dayLabel(iso) {
  return new Date(`${iso}T00:00:00Z`).toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
}

function pale(color) {
  return `${color}66`;
}

const last = data.dates.length - 1;
const todayDash = { borderDash: (ctx) => (ctx.p1DataIndex === last ? [4, 4] : undefined) };

function line(label, values, color, axis = "y") {
  return {
    type: "line", label, data: values, borderColor: color, backgroundColor: color, yAxisID: axis,
    pointRadius: data.dates.length > 32 ? 0 : 2, cubicInterpolationMode: "monotone", segment: todayDash,
  };
}

function bar(label, values, color, axis = "y", stack = undefined) {
  const colors = values.map((_, index) => (index === last ? pale(color) : color));
  return { type: "bar", label, data: values, backgroundColor: colors, yAxisID: axis, stack, borderRadius: 2 };
}

function draw(name, config) {
  const figure = document.querySelector(`[data-chart="${name}"]`);
  if (!figure) return;
  const canvas = figure.querySelector("canvas");
  canvas.hidden = false;
  figure.dataset.drawn = "true";
  new window.Chart(canvas, config);
}

function drawCharts() {
  const Chart = window.Chart;
  if (!Chart) return; // the library did not load: the tables are the page
  Chart.defaults.color = css("--body-quiet-color", "#666");
  Chart.defaults.borderColor = css("--hairline-color", "#e8e8e8");
  Chart.defaults.font.family = css("--font-family-primary", "sans-serif");
  const labels = data.dates.map(dayLabel);
  labels[last] = `${labels[last]} (so far)`;
  const options = (scales) => ({
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    interaction: { mode: "index", intersect: false },
    plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
    scales: { x: { ticks: { maxRotation: 0, autoSkipPadding: 12 } }, ...scales },
  });
  const count = { beginAtZero: true, grace: "10%", ticks: { precision: 0 } };
  const percent = { beginAtZero: true, grace: "10%", ticks: { callback: (value) => `${value} %` } };
  const stacked = { stacked: true, beginAtZero: true, max: 100, ticks: { callback: (value) => `${value} %` } };
  const named = (values) => Object.entries(values);

  draw("activity", {
    data: { labels, datasets: [line("Active shoppers", data.active, PALETTE[0]), line("Feed sessions", data.sessions, PALETTE[1])] },
    options: options({ y: count }),
  });
  draw("time", {
    data: { labels, datasets: [bar("Minutes per active shopper", data.time_in_feed, PALETTE[0])] },
    options: options({ y: { beginAtZero: true, grace: "10%" } }),
  });
  draw("impressions", {
    data: {
      labels,
      datasets: [line("Click-through", data.click_through, PALETTE[0]), line("Add-to-cart rate", data.cart_rate, PALETTE[1])],
    },
    options: options({ y: percent }),
  });
  draw("shoppers", {
    data: {
      labels,
      datasets: [line("Added to cart", data.cart_share, PALETTE[1]), line("Ordered (conversion)", data.conversion, PALETTE[2])],
    },
    options: options({ y: percent }),
  });
  const currencies = Object.keys(data.revenue);
  draw("sales", {
    data: {
      labels,
      datasets: [
        ...currencies.map((c, n) => bar(`Revenue (${c})`, data.revenue[c], PALETTE[(2 + n) % PALETTE.length], "revenue")),
        ...currencies.map((c, n) => line(`Order value (${c})`, data.order_value[c], PALETTE[(3 + n) % PALETTE.length], "value")),
      ],
    },
    options: options({
      revenue: { beginAtZero: true, grace: "10%", position: "left", title: { display: true, text: "Revenue" } },
      value: {
        beginAtZero: true, grace: "10%", position: "right", grid: { drawOnChartArea: false },
        title: { display: true, text: "Order value" },
      },
    }),
  });
  draw("new", {
    data: { labels, datasets: named(data.published).map(([kind, values], n) => bar(kind, values, PALETTE[n], "y", "new")) },
    options: options({ x: { stacked: true, ticks: { maxRotation: 0, autoSkipPadding: 12 } }, y: { ...count, stacked: true } }),
  });
  for (const [name, shares] of [["kinds", data.served_kinds], ["sources", data.served_sources]]) {
    draw(name, {
      data: { labels, datasets: named(shares).map(([label, values], n) => bar(label, values, PALETTE[n], "y", name)) },
      options: options({ x: { stacked: true, ticks: { maxRotation: 0, autoSkipPadding: 12 } }, y: stacked }),
    });
  }
}

drawCharts();
