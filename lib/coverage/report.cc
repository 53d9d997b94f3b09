// report.html: one self-contained page for a council meeting. No script, no fonts
// or tiles from the network: the map is inline SVG, tooltips are SVG <title>s, and
// hovering is plain CSS, so the page opens offline and prints as it shows.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/text.h"
#include "coverage/map_outline.h"
#include "wegwijzer/coverage.h"
#include "wegwijzer/gazetteer.h"

namespace wegwijzer {
namespace {

struct Texts {
  bool nl;
  const char* operator()(const char* en, const char* dutch) const { return nl ? dutch : en; }
};

std::string Html(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// 12,345 (en) or 12.345 (nl).
std::string Count(int64_t n, bool nl) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += nl ? '.' : ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

// 93.4% (en) or 93,4% (nl).
std::string Percent(double share, bool nl) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", 100.0 * share);
  std::string s = buffer;
  if (nl) std::replace(s.begin(), s.end(), '.', ',');
  return s + "%";
}

// Shading by share served physically: ColorBrewer RdBu (colour-blind safe), red
// where help within reach is missing.
struct Bin {
  double from;
  const char* colour;
};
constexpr Bin kBins[] = {{0.0, "#b2182b"},  {0.5, "#ef8a62"},  {0.7, "#fddbc7"},
                         {0.8, "#d1e5f0"},  {0.9, "#67a9cf"},  {0.95, "#2166ac"}};
constexpr const char* kNoDemandColour = "#e8e8e8";

const char* Colour(const AreaFigures* f) {
  if (f == nullptr || f->demand == 0) return kNoDemandColour;
  const double share = f->Share(f->in_person + f->home_visit);
  const char* colour = kBins[0].colour;
  for (const Bin& b : kBins) {
    if (share >= b.from) colour = b.colour;
  }
  return colour;
}

std::string_view TopicName(std::string_view code, bool nl) {
  struct Name {
    std::string_view code, en, nl;
  };
  static constexpr Name kNames[] = {
      {"digid", "DigiD", "DigiD"},
      {"benefits", "benefits (toeslagen)", "toeslagen"},
      {"taxes", "tax returns", "belastingaangifte"},
      {"permits", "municipal matters, ID", "gemeentezaken, paspoort/ID"},
      {"health", "health apps", "zorgapps, MijnGezondheid"},
      {"banking", "banking", "bankzaken"},
      {"insurance", "insurance", "verzekeringen"},
      {"jobs", "jobs, UWV", "werk, UWV"},
      {"pension", "pension, AOW", "AOW en pensioen"},
      {"basics", "basic skills", "basisvaardigheden"},
      {"device", "devices", "apparaten"},
      {"internet", "internet access", "internettoegang"},
      {"safety", "online safety", "veilig online"},
      {"literacy", "reading, writing, Dutch", "lezen, schrijven, taal"},
      {"education", "online learning", "online leren"},
  };
  for (const Name& n : kNames) {
    if (n.code == code) return nl ? n.nl : n.en;
  }
  return code;
}

// Equirectangular projection with longitudes scaled by cos(mid latitude): at the
// scale of one country the distortion is invisible, and the SVG stays simple.
struct Projection {
  double lon0 = 0, lat1 = 0, scale = 1, kx = 1;
  double width = 0, height = 0;
  double X(LatLng p) const { return (p.lon_deg - lon0) * kx * scale; }
  double Y(LatLng p) const { return (lat1 - p.lat_deg) * scale; }
};

Projection Fit(double lat_min, double lat_max, double lon_min, double lon_max, double width) {
  Projection p;
  const double pad_lat = (lat_max - lat_min) * 0.02 + 1e-3;
  const double pad_lon = (lon_max - lon_min) * 0.02 + 1e-3;
  lat_min -= pad_lat, lat_max += pad_lat, lon_min -= pad_lon, lon_max += pad_lon;
  p.kx = std::cos((lat_min + lat_max) / 2 * 3.14159265358979323846 / 180);
  p.lon0 = lon_min;
  p.lat1 = lat_max;
  p.scale = width / ((lon_max - lon_min) * p.kx);
  p.width = width;
  p.height = (lat_max - lat_min) * p.scale;
  return p;
}

void AppendPoint(std::string* out, double x, double y) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.1f %.1f", x, y);
  *out += buffer;
}

std::string Fixed(double v, int decimals) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, v);
  return buffer;
}

constexpr char kStyle[] = R"css(
:root { --ink:#1d2733; --muted:#5b6775; --line:#dde3ea; --accent:#154273; }
* { box-sizing: border-box; }
body { margin:0; font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif; color:var(--ink);
       background:#f4f6f9; line-height:1.45; }
header { background:var(--accent); color:#fff; padding:28px 40px 22px; }
header h1 { margin:0 0 6px; font-size:30px; font-weight:600; letter-spacing:.2px; }
header p { margin:0; opacity:.85; font-size:15px; }
main { max-width:1280px; margin:0 auto; padding:24px 40px 48px; }
.figures { display:grid; grid-template-columns:repeat(auto-fit,minmax(180px,1fr)); gap:14px; margin-bottom:24px; }
.figure { background:#fff; border-radius:8px; padding:16px 18px; border-top:5px solid var(--accent);
          box-shadow:0 1px 2px rgba(0,0,0,.06); }
.figure .value { font-size:30px; font-weight:650; }
.figure .label { color:var(--muted); font-size:13.5px; }
.figure.bad { border-top-color:#b2182b; } .figure.warn { border-top-color:#ef8a62; }
.figure.good { border-top-color:#2166ac; } .figure.new { border-top-color:#e6a100; }
.panel { background:#fff; border-radius:8px; padding:20px 24px; margin-bottom:24px;
         box-shadow:0 1px 2px rgba(0,0,0,.06); }
.panel h2 { margin:0 0 4px; font-size:20px; font-weight:600; }
.panel .note { color:var(--muted); font-size:13.5px; margin:0 0 14px; }
.mapwrap { display:flex; gap:24px; align-items:flex-start; flex-wrap:wrap; }
svg.map { flex:1 1 640px; max-width:860px; height:auto; background:#fbfcfd; border:1px solid var(--line); border-radius:6px; }
svg.map path.m { stroke:#ffffff; stroke-width:.35; }
svg.map path.m:hover { stroke:#111; stroke-width:1.2; }
.legend { flex:0 0 250px; font-size:13.5px; }
.legend h3 { font-size:14px; margin:0 0 8px; }
.legend .row { display:flex; align-items:center; gap:8px; margin:4px 0; }
.legend .sw { width:22px; height:14px; border-radius:2px; border:1px solid rgba(0,0,0,.15); }
.legend .dot { width:22px; text-align:center; }
table { border-collapse:collapse; width:100%; font-size:13.5px; }
th { text-align:left; color:var(--muted); font-weight:600; border-bottom:2px solid var(--line); padding:6px 8px; }
td { border-bottom:1px solid var(--line); padding:6px 8px; }
td.n, th.n { text-align:right; font-variant-numeric: tabular-nums; }
.bar { display:inline-block; height:9px; background:#2166ac; border-radius:2px; vertical-align:middle; }
.bar.red { background:#b2182b; }
footer { color:var(--muted); font-size:12.5px; max-width:1280px; margin:0 auto; padding:0 40px 32px; }
@media print { body { background:#fff; } .panel, .figure { box-shadow:none; border:1px solid var(--line); } }
)css";

}  // namespace

std::string FormatCoverageReportHtml(const CoverageAnalysis& a, const ReportOptions& options) {
  const bool nl = options.language == TextLanguage::kDutch;
  const Texts T{nl};
  std::map<std::string_view, const AreaFigures*> municipality_figures;
  for (const AreaFigures& f : a.areas) {
    if (f.level == AreaFigures::Level::kMunicipality) municipality_figures[f.area] = &f;
  }

  // --- the map's extent: the municipalities, else every point drawn.
  std::vector<internal::Outline> outlines;
  if (a.gazetteer != nullptr) outlines = internal::SimplifiedOutlines(*a.gazetteer, 0.0018);
  double lat_min = 90, lat_max = -90, lon_min = 180, lon_max = -180;
  auto extend = [&](LatLng p) {
    lat_min = std::min(lat_min, p.lat_deg), lat_max = std::max(lat_max, p.lat_deg);
    lon_min = std::min(lon_min, p.lon_deg), lon_max = std::max(lon_max, p.lon_deg);
  };
  for (const internal::Outline& o : outlines) {
    for (const internal::OutlinePolygon& polygon : o.polygons) {
      for (const LatLng& p : polygon.front()) extend(p);
    }
  }
  if (outlines.empty()) {
    for (const Request& q : a.requests) extend(q.position);
    for (size_t i = 0; i < a.providers->size(); ++i) {
      for (const auto& l : a.providers->provider(ProviderIndex(i)).locations) extend(l.position);
    }
  }
  const bool has_extent = lat_min <= lat_max;
  const Projection proj = has_extent ? Fit(lat_min, lat_max, lon_min, lon_max, 800)
                                     : Fit(50.7, 53.6, 3.3, 7.3, 800);

  std::string svg;
  internal::Append(&svg, "<svg class=\"map\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ",
                   Fixed(proj.width, 0), " ", Fixed(proj.height, 0), "\" role=\"img\" aria-label=\"",
                   T("Map of the share of demand served physically", "Kaart van het aandeel dat fysiek geholpen kan worden"),
                   "\">\n");
  // Municipalities, shaded.
  svg += "<g id=\"municipalities\">\n";
  for (const internal::Outline& o : outlines) {
    auto it = municipality_figures.find(o.code);
    const AreaFigures* f = it == municipality_figures.end() ? nullptr : it->second;
    std::string d;
    for (const internal::OutlinePolygon& polygon : o.polygons) {
      for (const std::vector<LatLng>& ring : polygon) {
        double last_x = std::numeric_limits<double>::quiet_NaN(), last_y = last_x;
        d += 'M';
        bool first = true;
        for (size_t k = 0; k + 1 < ring.size(); ++k) {  // the closing point is implied by Z
          const double x = std::round(proj.X(ring[k]) * 10) / 10, y = std::round(proj.Y(ring[k]) * 10) / 10;
          if (x == last_x && y == last_y) continue;
          if (!first) d += 'L';
          AppendPoint(&d, x, y);
          first = false;
          last_x = x, last_y = y;
        }
        d += 'Z';
      }
    }
    std::string title = internal::Cat(o.name, " (", o.code, "): ");
    if (f != nullptr && f->demand > 0) {
      internal::Append(&title, Percent(f->Share(f->in_person + f->home_visit), nl),
                       T(" served physically", " fysiek geholpen"), ", ",
                       Percent(f->Share(f->assigned_physically), nl),
                       T(" after matching; demand ", " na toewijzing; vraag "), Count(f->demand, nl),
                       T(", unmet ", ", onvervuld "), Count(f->unmet, nl));
    } else {
      title += T("no demand", "geen vraag");
    }
    internal::Append(&svg, "<path class=\"m\" fill-rule=\"evenodd\" fill=\"", Colour(f), "\" d=\"",
                     d, "\"><title>", Html(title), "</title></path>\n");
  }
  svg += "</g>\n";

  // Unmet demand, aggregated on a grid of 0.02 degrees (about 2 km): with PC4
  // centroids as positions that is roughly one circle per postcode area.
  std::map<std::pair<int, int>, std::pair<int64_t, LatLng>> unmet_cells;
  int64_t unmet_max = 0;
  for (size_t i = 0; i < a.requests.size(); ++i) {
    const RowPlan& r = a.plan.rows[i];
    const int64_t unmet = r.count - r.in_person - r.home_visit;
    if (unmet <= 0) continue;
    const LatLng p = a.requests[i].position;
    auto key = std::make_pair(static_cast<int>(std::floor(p.lat_deg / 0.02)),
                              static_cast<int>(std::floor(p.lon_deg / 0.02)));
    auto& cell = unmet_cells[key];
    // The circle sits at the count-weighted mean position of its rows.
    const double w0 = static_cast<double>(cell.first), w1 = static_cast<double>(unmet);
    cell.second = {(cell.second.lat_deg * w0 + p.lat_deg * w1) / (w0 + w1),
                   (cell.second.lon_deg * w0 + p.lon_deg * w1) / (w0 + w1)};
    cell.first += unmet;
    unmet_max = std::max(unmet_max, cell.first);
  }
  svg += "<g id=\"unmet\" fill=\"#7b2d8e\" fill-opacity=\"0.38\" stroke=\"#5a1f69\" stroke-width=\"0.4\">\n";
  for (const auto& [key, cell] : unmet_cells) {
    const double r = 0.6 + 7.0 * std::sqrt(static_cast<double>(cell.first) /
                                           static_cast<double>(std::max<int64_t>(1, unmet_max)));
    internal::Append(&svg, "<circle cx=\"", Fixed(proj.X(cell.second), 1), "\" cy=\"",
                     Fixed(proj.Y(cell.second), 1), "\" r=\"", Fixed(r, 1), "\"><title>",
                     Count(cell.first, nl), T(" requests without help in person or at home",
                                              " aanvragen zonder hulp op locatie of aan huis"),
                     "</title></circle>\n");
  }
  svg += "</g>\n";

  // Help points: one path of zero-length round-capped segments, one per distinct
  // drawn position (50,000 providers stay a few hundred kB and draw fast).
  std::set<std::pair<int, int>> seen;
  std::string dots;
  int64_t physical_locations = 0;
  for (size_t i = 0; i < a.providers->size(); ++i) {
    const ProviderInfo& p = a.providers->provider(ProviderIndex(i));
    if (!p.modes.Intersects(kPhysicalModes)) continue;
    for (const ProviderInfo::Location& l : p.locations) {
      ++physical_locations;
      const int x = static_cast<int>(std::lround(proj.X(l.position) * 2));
      const int y = static_cast<int>(std::lround(proj.Y(l.position) * 2));
      if (!seen.insert({x, y}).second) continue;
      dots += 'M';
      AppendPoint(&dots, x / 2.0, y / 2.0);
      dots += "h0";
    }
  }
  // Tens of thousands of dots would blacken the map: draw them finer and lighter.
  const bool dense = physical_locations > 5000;
  internal::Append(&svg, "<path id=\"providers\" d=\"", dots, "\" stroke=\"#111820\" stroke-opacity=\"",
                   dense ? "0.4" : "0.8", "\" stroke-width=\"", dense ? "1.1" : "2",
                   "\" stroke-linecap=\"round\" fill=\"none\"/>\n");
  // Suggested sites: numbered markers, the first ten labelled.
  if (a.sites && a.candidates != nullptr) {
    svg += "<g id=\"sites\">\n";
    for (size_t r = a.sites->picks.size(); r-- > 0;) {  // rank 1 drawn last, on top
      const SitePick& pick = a.sites->picks[r];
      const ProviderInfo& c = a.candidates->provider(pick.candidate);
      if (c.locations.empty()) continue;
      const LatLng pos = c.locations.front().position;
      const double x = proj.X(pos), y = proj.Y(pos);
      internal::Append(&svg, "<g><title>", r + 1, ". ", Html(c.name.empty() ? c.id : c.name), ": +",
                       Count(pick.gain, nl), T(" served physically", " fysiek geholpen"),
                       "</title><circle cx=\"", Fixed(x, 1), "\" cy=\"", Fixed(y, 1),
                       "\" r=\"", r < 10 ? "6.5" : "4", "\" fill=\"#ffc20e\" stroke=\"#1d2733\" stroke-width=\"1.1\"/>");
      if (r < 10) {
        internal::Append(&svg, "<text x=\"", Fixed(x, 1), "\" y=\"", Fixed(y + 2.9, 1),
                         "\" font-size=\"8\" font-weight=\"700\" text-anchor=\"middle\" "
                         "fill=\"#1d2733\" font-family=\"Arial,sans-serif\">",
                         r + 1, "</text>");
      }
      svg += "</g>\n";
    }
    svg += "</g>\n";
  }
  svg += "</svg>\n";

  // --- the page.
  std::string out;
  const std::string title = T("Digital help within reach", "Digitale hulp binnen bereik");
  internal::Append(&out, "<!DOCTYPE html>\n<html lang=\"", nl ? "nl" : "en",
                   "\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
                   "content=\"width=device-width, initial-scale=1\">\n<title>",
                   Html(title), "</title>\n<style>", kStyle, "</style>\n</head>\n<body>\n<header><h1>",
                   Html(title), "</h1><p>",
                   Html(options.subtitle.empty()
                            ? std::string(T("Where residents who need help with digital government "
                                            "find none nearby, and where new help points would reach "
                                            "the most of them.",
                                            "Waar inwoners die hulp nodig hebben bij de digitale "
                                            "overheid die niet dichtbij vinden, en waar nieuwe "
                                            "hulppunten de meesten van hen bereiken."))
                            : options.subtitle),
                   "</p></header>\n<main>\n");

  // Key figures.
  const int64_t physical = a.in_person + a.home_visit;
  auto share = [&](int64_t part) {
    return a.demand == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(a.demand);
  };
  auto figure = [&](const char* cls, const std::string& value, const std::string& label) {
    internal::Append(&out, "<div class=\"figure ", cls, "\"><div class=\"value\">", value,
                     "</div><div class=\"label\">", label, "</div></div>\n");
  };
  out += "<section class=\"figures\">\n";
  figure("", Count(a.demand, nl), T("requests for help (demand)", "hulpvragen (vraag)"));
  figure("good", Percent(share(physical), nl),
         T("have suitable help in person or at home within reach",
           "hebben passende hulp op locatie of aan huis binnen bereik"));
  figure("warn", Percent(share(a.remote), nl),
         T("can only be helped by phone or video", "kunnen alleen telefonisch of via video geholpen worden"));
  figure("bad", Percent(share(a.none), nl),
         T("find no suitable help at all", "vinden helemaal geen passende hulp"));
  figure("", Percent(share(a.assigned_physically), nl),
         T("helped in person or at home within today's capacity",
           "geholpen op locatie of aan huis binnen de huidige capaciteit"));
  if (a.sites) {
    figure("new", internal::Cat("+", Count(a.sites->gain, nl)),
           internal::Cat(T("served physically by ", "fysiek geholpen door "), a.sites->picks.size(),
                         T(" new help points (at least ", " nieuwe hulppunten (minstens "),
                         Percent(a.sites->guarantee, nl),
                         T(" of the best possible)", " van het best mogelijke)")));
  }
  out += "</section>\n";

  // The map.
  internal::Append(&out, "<section class=\"panel\"><h2>",
                   T("Where help within reach is missing", "Waar hulp binnen bereik ontbreekt"),
                   "</h2><p class=\"note\">",
                   T("Each municipality is shaded by the share of its demand that has suitable help in "
                     "person or at home within reach (route rank 1). Purple circles: demand not helped in "
                     "person or at home after matching to today's capacity. Hover for figures.",
                     "Elke gemeente is gekleurd naar het aandeel van de vraag met passende hulp op locatie "
                     "of aan huis binnen bereik (beste verwijzing). Paarse cirkels: vraag die na toewijzing "
                     "aan de huidige capaciteit niet op locatie of aan huis geholpen wordt. Wijs aan voor cijfers."),
                   "</p>\n<div class=\"mapwrap\">\n", svg, "<div class=\"legend\"><h3>",
                   T("Served physically", "Fysiek geholpen"), "</h3>\n");
  for (size_t b = std::size(kBins); b-- > 0;) {
    const std::string from = Percent(kBins[b].from, nl);
    const std::string label =
        b + 1 == std::size(kBins) ? internal::Cat(from, T(" or more", " of meer"))
                                  : internal::Cat(from, " – ", Percent(kBins[b + 1].from, nl));
    internal::Append(&out, "<div class=\"row\"><span class=\"sw\" style=\"background:",
                     kBins[b].colour, "\"></span>", label, "</div>\n");
  }
  internal::Append(&out, "<div class=\"row\"><span class=\"sw\" style=\"background:", kNoDemandColour,
                   "\"></span>", T("no demand", "geen vraag"), "</div>\n<h3 style=\"margin-top:14px\">",
                   T("On the map", "Op de kaart"), "</h3>\n",
                   "<div class=\"row\"><span class=\"dot\"><svg width=\"14\" height=\"14\"><circle cx=\"7\" cy=\"7\" r=\"6\" fill=\"#7b2d8e\" fill-opacity=\"0.38\" stroke=\"#5a1f69\"/></svg></span>",
                   T("unmet demand (area = requests)", "onvervulde vraag (oppervlak = aantal)"), "</div>\n",
                   "<div class=\"row\"><span class=\"dot\"><svg width=\"14\" height=\"14\"><circle cx=\"7\" cy=\"7\" r=\"2\" fill=\"#1d2733\" fill-opacity=\"0.6\"/></svg></span>",
                   T("help point (", "hulppunt ("), Count(physical_locations, nl), ")</div>\n");
  if (a.sites) {
    internal::Append(&out,
                     "<div class=\"row\"><span class=\"dot\"><svg width=\"16\" height=\"16\"><circle cx=\"8\" cy=\"8\" r=\"6.5\" fill=\"#ffc20e\" stroke=\"#1d2733\"/></svg></span>",
                     T("suggested new help point (by rank)", "voorgesteld nieuw hulppunt (op volgorde)"),
                     "</div>\n");
  }
  out += "</div></div></section>\n";

  auto bar = [](double s, bool red) {
    return internal::Cat("<span class=\"bar", red ? " red" : "", "\" style=\"width:",
                         Fixed(60 * s, 1), "px\"></span> ");
  };
  auto area_table = [&](AreaFigures::Level level, const char* heading_en, const char* heading_nl,
                        const char* note_en, const char* note_nl, size_t limit) {
    std::vector<const AreaFigures*> rows;
    for (const AreaFigures& f : a.areas) {
      if (f.level == level && f.demand > 0) rows.push_back(&f);
    }
    if (rows.empty()) return;
    std::sort(rows.begin(), rows.end(), [](const AreaFigures* x, const AreaFigures* y) {
      return x->unmet != y->unmet ? x->unmet > y->unmet : x->area < y->area;
    });
    if (rows.size() > limit) rows.resize(limit);
    internal::Append(&out, "<section class=\"panel\"><h2>", T(heading_en, heading_nl),
                     "</h2><p class=\"note\">", T(note_en, note_nl), "</p>\n<table><tr><th></th><th class=\"n\">",
                     T("demand", "vraag"), "</th><th>", T("help within reach", "hulp binnen bereik"),
                     "</th><th class=\"n\">", T("phone/video only", "alleen telefoon/video"),
                     "</th><th class=\"n\">", T("nothing suits", "niets past"), "</th><th class=\"n\">",
                     T("helped physically after matching", "fysiek geholpen na toewijzing"),
                     "</th><th class=\"n\">", T("unmet", "onvervuld"), "</th><th>",
                     level == AreaFigures::Level::kTopic ? T("most unmet languages", "meest onvervulde talen")
                                                         : T("most unmet topics", "meest onvervulde onderwerpen"),
                     "</th></tr>\n");
    for (const AreaFigures* f : rows) {
      std::string label;
      if (level == AreaFigures::Level::kTopic) {
        label = std::string(TopicName(f->area, nl));
      } else if (!f->name.empty()) {
        label = internal::Cat(f->name, " <span style=\"color:#5b6775\">", f->area, "</span>");
      } else {
        label = f->area.empty() ? std::string(T("(unknown)", "(onbekend)")) : f->area;
      }
      std::string top;
      for (const auto& [code, n] :
           level == AreaFigures::Level::kTopic ? f->unmet_languages : f->unmet_topics) {
        internal::Append(&top, top.empty() ? "" : ", ",
                         Html(level == AreaFigures::Level::kTopic ? code : TopicName(code, nl)),
                         " (", Count(n, nl), ")");
      }
      const double physical_share = f->Share(f->in_person + f->home_visit);
      internal::Append(&out, "<tr><td>", label, "</td><td class=\"n\">", Count(f->demand, nl),
                       "</td><td>", bar(physical_share, physical_share < 0.7), Percent(physical_share, nl),
                       "</td><td class=\"n\">", Percent(f->Share(f->remote), nl), "</td><td class=\"n\">",
                       Percent(f->Share(f->none), nl), "</td><td class=\"n\">",
                       Percent(f->Share(f->assigned_physically), nl), "</td><td class=\"n\">",
                       Count(f->unmet, nl), "</td><td>", top, "</td></tr>\n");
    }
    out += "</table></section>\n";
  };
  area_table(AreaFigures::Level::kMunicipality, "Municipalities with the most unmet demand",
             "Gemeenten met de meeste onvervulde vraag",
             "Unmet: not helped in person or at home once today's capacity is shared out optimally.",
             "Onvervuld: niet op locatie of aan huis geholpen als de huidige capaciteit optimaal "
             "wordt verdeeld.",
             20);
  area_table(AreaFigures::Level::kPostcode, "Postcode areas with the most unmet demand",
             "Postcodegebieden met de meeste onvervulde vraag", "Four-digit postcode areas (PC4).",
             "Viercijferige postcodegebieden (PC4).", 15);
  area_table(AreaFigures::Level::kTopic, "By topic", "Per onderwerp",
             "A request about several topics counts under each.",
             "Een vraag over meerdere onderwerpen telt bij elk mee.", 15);
  area_table(AreaFigures::Level::kLanguage, "By language", "Per taal",
             "A request that can be helped in several languages counts under each.",
             "Een vraag die in meerdere talen geholpen kan worden telt bij elke taal mee.", 10);

  if (a.sites && a.candidates != nullptr) {
    const SiteChoice& s = *a.sites;
    internal::Append(&out, "<section class=\"panel\"><h2>",
                     T("Where new help points would reach the most residents",
                       "Waar nieuwe hulppunten de meeste inwoners bereiken"),
                     "</h2><p class=\"note\">",
                     internal::Cat(T("Chosen one at a time, each reaching the most requests that now have "
                                     "no help in person or at home within reach. Together they reach ",
                                     "Eén voor één gekozen, telkens het punt dat de meeste aanvragen "
                                     "bereikt die nu geen hulp op locatie of aan huis binnen bereik hebben. "
                                     "Samen bereiken ze "),
                                   Count(s.gain, nl),
                                   T("; no choice of as many sites reaches more than ",
                                     "; geen enkele keuze van evenveel punten bereikt er meer dan "),
                                   Count(s.bound, nl), " (", T("so this choice is at least ", "dus deze keuze is minstens "),
                                   Percent(s.guarantee, nl), T(" of the best possible).", " van het best mogelijke).")),
                     "</p>\n<table><tr><th class=\"n\">#</th><th>", T("candidate", "kandidaat"), "</th><th>",
                     T("kind", "soort"), "</th><th>", T("municipality", "gemeente"), "</th><th class=\"n\">",
                     T("newly served physically", "extra fysiek geholpen"), "</th><th class=\"n\">",
                     T("served physically in total", "totaal fysiek geholpen"), "</th></tr>\n");
    for (size_t r = 0; r < s.picks.size(); ++r) {
      const SitePick& pick = s.picks[r];
      const ProviderInfo& c = a.candidates->provider(pick.candidate);
      std::string where;
      for (const std::string& code : c.municipalities) {
        std::string name = code;
        if (a.gazetteer != nullptr) {
          if (auto m = a.gazetteer->FindMunicipality(code)) name = std::string(m->name);
        }
        internal::Append(&where, where.empty() ? "" : ", ", Html(name));
      }
      if (where.empty() && a.gazetteer != nullptr && !c.locations.empty()) {
        if (auto m = a.gazetteer->MunicipalityAt(c.locations.front().position)) where = Html(m->name);
      }
      internal::Append(&out, "<tr><td class=\"n\">", r + 1, "</td><td>",
                       Html(c.name.empty() ? c.id : internal::Cat(c.name, " (", c.id, ")")),
                       "</td><td>", Html(ProviderKindCode(c.kind)), "</td><td>", where,
                       "</td><td class=\"n\">+", Count(pick.gain, nl), "</td><td class=\"n\">",
                       Count(pick.covered_after, nl), " (", Percent(share(pick.covered_after), nl),
                       ")</td></tr>\n");
    }
    out += "</table></section>\n";
  }
  out += "</main>\n<footer>";
  out += T("Made with Wegwijzer. Suitability as the interchange contract defines it: topic, language, "
           "accessibility, mode, municipality, capacity and distance. Municipal boundaries: CBS / Kadaster "
           "(CC BY 4.0), simplified for display.",
           "Gemaakt met Wegwijzer. Passend zoals het uitwisselcontract het definieert: onderwerp, taal, "
           "toegankelijkheid, vorm, gemeente, capaciteit en afstand. Gemeentegrenzen: CBS / Kadaster "
           "(CC BY 4.0), vereenvoudigd weergegeven.");
  out += "</footer>\n</body>\n</html>\n";
  return out;
}

}  // namespace wegwijzer
