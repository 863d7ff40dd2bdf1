import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { prefetchDashboard } from './dashboard-queries.ts';
import './styles.css';

// Opened on a dashboard: its numbers are asked for now, while the session and the page's code load.
prefetchDashboard(window.location);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
