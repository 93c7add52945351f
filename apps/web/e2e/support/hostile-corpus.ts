/**
 * Text an attacker controls, everywhere the app shows user text. Each entry, rendered, must
 * stay text: no script runs (the CSP violation counter stays 0 and no dialog opens), no
 * `javascript:`/`data:` link becomes clickable, no element gets an event-handler attribute.
 * The lengths respect the API's limits (bodies ≤ 10,000 characters, display names ≤ 64,
 * group names ≤ 100), so every entry is accepted and really shown.
 */

const RLO = '\u202e'; // right-to-left override: "exe.txt" shown as "txt.exe"
const LRI = '\u2066';
const ZWJ = '\u200d';

/** Message bodies: raw HTML, Markdown links with dangerous schemes, SVG, broken markup, huge text. */
export const HOSTILE_BODIES: readonly string[] = [
  '<script>alert("body-script")</script>',
  '<img src=x onerror=alert("img-onerror")>',
  '<svg onload=alert("svg-onload")><circle r=10 /></svg>',
  '<svg><script>alert("svg-script")</script></svg>',
  '<iframe src="javascript:alert(\'iframe\')"></iframe>',
  '<a href="javascript:alert(\'raw-anchor\')">click me</a>',
  '[markdown javascript link](javascript:alert("md-js"))',
  '[markdown JaVaScRiPt link](JaVaScRiPt:alert("md-js-case"))',
  '[markdown spaced link]( javascript:alert("md-js-space"))',
  '[markdown entity link](&#106;avascript:alert("md-entity"))',
  '[markdown tab link](java\tscript:alert("md-tab"))',
  '[markdown data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgnZGF0YScpPC9zY3JpcHQ+)',
  '[markdown vbscript link](vbscript:msgbox("vb"))',
  '![markdown image](javascript:alert("md-img"))',
  '![markdown data image](data:image/svg+xml,<svg onload=alert("md-data-img")>)',
  '<javascript:alert("autolink")>',
  'plain autolink javascript:alert("plain") and https://example.org/ok?x=<script>',
  '**bold <b onmouseover=alert("bold")>hover</b>** _it_ ~~strike~~ `<script>alert("code")</script>`',
  '```html\n<script>alert("code-block")</script>\n<img src=x onerror=alert(1)>\n```',
  '> quote <style>body{display:none}</style>\n> <link rel=stylesheet href=//evil.example/x.css>',
  '- list <math><mtext><table><mglyph><style><img src=x onerror=alert("mxss")>',
  '<div style="position:fixed;inset:0;background:red" onclick=alert("overlay")>overlay</div>',
  '<form action="https://evil.example"><input name=q><button>send</button></form>',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(\'meta\')">',
  '<base href="https://evil.example/">',
  '"><script>alert("attr-break")</script><"',
  "'-alert('quote-break')-'",
  '{{constructor.constructor("alert(\'template\')")()}}',
  '${alert("template-literal")}',
  '<<script>script>alert("nested")<</script>/script>',
  '<!-- unclosed comment <script>alert("comment")</script>',
  '<scr<script>ipt>alert("split")</scr</script>ipt>',
  `${RLO}gpj.exe${LRI} rtl override ${ZWJ}👨‍👩‍👧 ملف.txt`,
  '@everyone @<script>alert("mention")</script> #<img src=x onerror=alert(1)>',
  `[${'x'.repeat(500)}](javascript:alert("long-label"))`,
  `huge:${'<b>'.repeat(1000)}${'A'.repeat(5000)}`.slice(0, 10_000),
];

/** Display names (≤ 64 characters). */
export const HOSTILE_DISPLAY_NAMES: readonly string[] = [
  '<script>alert("name")</script>',
  '<img src=x onerror=alert("name-img")>',
  `${RLO}nimda${LRI} admin`,
  '[name](javascript:alert("name-md"))',
];

/** Group names (≤ 100 characters). */
export const HOSTILE_GROUP_NAMES: readonly string[] = ['<svg/onload=alert("group")>', '"><img src=x onerror=alert("group-img")> [g](javascript:alert(1))'];

/** File names of uploads (the server sanitises them; the app must show what is left as text). */
export const HOSTILE_FILE_NAMES: readonly string[] = [
  '<img src=x onerror=alert("file")>.png',
  `invoice${RLO}gnp.exe`,
  'javascript:alert("file-link").png',
  '../../etc/passwd.png',
  `${'<svg onload=alert(1)>'.repeat(20)}.png`,
];
