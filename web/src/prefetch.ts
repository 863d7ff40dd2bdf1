// The page's first script, an entry of its own a few kB long (index.html): on a dashboard address
// it asks for the session, the definitions and the view's numbers at once, before the application's
// own script (hundreds of kB) has been downloaded, compiled and run. The application takes the
// answers already on their way (api.ts, askAhead).
import { prefetchDashboard } from './dashboard-queries.ts';

prefetchDashboard(window.location);
