import type { ECharts, EChartsCoreOption } from 'echarts/core';
import { useEffect, useRef } from 'react';

export type ChartOption = EChartsCoreOption;

/**
 * ECharts is most of the interface's code, so it is its own chunk, fetched when the first chart
 * mounts: pages without charts, and the numbers of pages with them, do not wait for it.
 */
let echartsChunk: Promise<typeof import('./echart-setup.ts')> | undefined;
const loadEcharts = () => (echartsChunk ??= import('./echart-setup.ts'));

/** Starts fetching ECharts now (a page that will draw charts once its numbers arrive). */
export function preloadCharts(): void {
  void loadEcharts();
}

/**
 * An ECharts canvas that follows its box's size and is disposed with the component. The canvas is
 * not readable by assistive technology, so `label` says in words what it shows; the same numbers
 * are in a table next to it.
 */
export function EChart({
  option,
  label,
  height = 260,
  onBarClick,
  testId,
}: {
  option: ChartOption;
  label: string;
  height?: number;
  onBarClick?: (dataIndex: number) => void;
  testId?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);
  const clickHandler = useRef(onBarClick);
  clickHandler.current = onBarClick;

  const latest = useRef(option);
  latest.current = option;

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    let disposed = false;
    let observer: ResizeObserver | undefined;
    void loadEcharts().then(({ echarts }) => {
      if (disposed) return;
      const instance = echarts.init(element, undefined, { renderer: 'canvas' });
      chart.current = instance;
      instance.on('click', (params) => {
        if (typeof params.dataIndex === 'number') clickHandler.current?.(params.dataIndex);
      });
      observer = new ResizeObserver(() => instance.resize());
      observer.observe(element);
      draw(instance, latest.current);
    });
    return () => {
      disposed = true;
      observer?.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    if (chart.current) draw(chart.current, option);
  }, [option]);

  return (
    <div ref={box} className="chart" role="img" aria-label={label} style={{ height }} data-testid={testId} />
  );
}

function draw(instance: ECharts, option: ChartOption) {
  // Motion only for those who have not asked the system for less of it.
  const still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  instance.setOption({ animation: !still, ...option }, true);
}
