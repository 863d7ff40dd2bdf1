import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

// Only what the dashboards draw is registered, so the bundle carries bar and line charts only.
echarts.use([
  BarChart,
  LineChart,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  CanvasRenderer,
]);

export type ChartOption = echarts.EChartsCoreOption;

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
  const chart = useRef<echarts.ECharts | null>(null);
  const clickHandler = useRef(onBarClick);
  clickHandler.current = onBarClick;

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const instance = echarts.init(element, undefined, { renderer: 'canvas' });
    chart.current = instance;
    instance.on('click', (params) => {
      if (typeof params.dataIndex === 'number') clickHandler.current?.(params.dataIndex);
    });
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    // Motion only for those who have not asked the system for less of it.
    const still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    chart.current?.setOption({ animation: !still, ...option }, true);
  }, [option]);

  return (
    <div ref={box} className="chart" role="img" aria-label={label} style={{ height }} data-testid={testId} />
  );
}
