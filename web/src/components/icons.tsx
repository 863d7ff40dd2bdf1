import type { ReactNode } from 'react';
import type { AreaId } from '../areas.ts';

// Stroke icons drawn for this UI (16px grid); decorative, so hidden from assistive technology.
function Icon({ children, size = 16 }: { children: ReactNode; size?: number }) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.5"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {children}
    </svg>
  );
}

const areaPaths: Record<AreaId, ReactNode> = {
  measure: (
    <>
      <path d="M2.5 11.5a5.5 5.5 0 0 1 11 0" />
      <path d="M8 11.5l2.5-3.5" />
    </>
  ),
  reward: (
    <>
      <circle cx="8" cy="6" r="3.5" />
      <path d="M5.8 8.8 5 14l3-1.5 3 1.5-.8-5.2" />
    </>
  ),
  forecast: (
    <>
      <path d="M2.5 12.5 6 8.5l2.5 2 5-6" />
      <path d="M10.5 4.5h3v3" />
    </>
  ),
  plan: (
    <>
      <circle cx="8" cy="8" r="5.5" />
      <circle cx="8" cy="8" r="2.5" />
      <circle cx="8" cy="8" r=".5" fill="currentColor" />
    </>
  ),
  improve: (
    <>
      <path d="M6 12.5h4M6.8 14.5h2.4" />
      <path d="M5.8 10.5C4.4 9.6 3.5 8.1 3.5 6.5a4.5 4.5 0 0 1 9 0c0 1.6-.9 3.1-2.3 4v.5H5.8v-.5Z" />
    </>
  ),
  data: (
    <>
      <ellipse cx="8" cy="4" rx="5" ry="1.8" />
      <path d="M3 4v8c0 1 2.2 1.8 5 1.8s5-.8 5-1.8V4" />
      <path d="M3 8c0 1 2.2 1.8 5 1.8S13 9 13 8" />
    </>
  ),
};

export function AreaIcon({ area, size }: { area: AreaId; size?: number }) {
  return <Icon size={size}>{areaPaths[area]}</Icon>;
}

export function UploadIcon() {
  return (
    <Icon size={20}>
      <path d="M8 10.5V2.5M5 5.5l3-3 3 3" />
      <path d="M2.5 10v2.5a1 1 0 0 0 1 1h9a1 1 0 0 0 1-1V10" />
    </Icon>
  );
}

export function FileIcon() {
  return (
    <Icon>
      <path d="M9 1.8H4.5a1 1 0 0 0-1 1v10.4a1 1 0 0 0 1 1h7a1 1 0 0 0 1-1V5.3L9 1.8Z" />
      <path d="M9 1.8v3.5h3.5" />
    </Icon>
  );
}

export function ChevronIcon({ open }: { open: boolean }) {
  return (
    <Icon size={14}>
      <path d={open ? 'M4 6l4 4 4-4' : 'M6 4l4 4-4 4'} />
    </Icon>
  );
}

export function CloseIcon() {
  return (
    <Icon size={14}>
      <path d="M4 4l8 8M12 4l-8 8" />
    </Icon>
  );
}

export function CheckIcon() {
  return (
    <Icon size={14}>
      <path d="M3 8.5l3 3 7-7" />
    </Icon>
  );
}

export function AlertIcon() {
  return (
    <Icon size={18}>
      <circle cx="8" cy="8" r="6" />
      <path d="M8 5v3.5M8 11v.01" />
    </Icon>
  );
}
