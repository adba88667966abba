import { homeAssistantConfigTopic } from '#shared/mqtt/topics.js';
import type { MqttLink } from './mqtt-link.js';

/**
 * Home Assistant MQTT discovery: the station appears as one device with
 * sensors for its last detection, last alert and health, available while its
 * retained status says `online`.
 */
export async function publishHomeAssistantDiscovery(link: MqttLink, stationId: string, discoveryPrefix: string, softwareVersion: string): Promise<void> {
  const device = { identifiers: [`ecosight_${stationId}`], name: `EcoSight ${stationId}`, manufacturer: 'EcoSight', model: 'Acoustic station', sw_version: softwareVersion };
  const availability = { topic: link.topics.status, value_template: '{{ value_json.state }}', payload_available: 'online', payload_not_available: 'offline' };
  const sensors: Array<[string, Record<string, unknown>]> = [
    ['last_detection', { name: 'Last detection', state_topic: link.topics.event, value_template: '{{ value_json.label }}', json_attributes_topic: link.topics.event, icon: 'mdi:ear-hearing' }],
    ['last_alert', { name: 'Last alert', state_topic: link.topics.alert, value_template: '{{ value_json.label }} ({{ value_json.shotCount }})', json_attributes_topic: link.topics.alert, icon: 'mdi:alert' }],
    ['queue_depth', { name: 'Queue depth', state_topic: link.topics.telemetry, value_template: '{{ value_json.queueDepth }}', json_attributes_topic: link.topics.telemetry, state_class: 'measurement', icon: 'mdi:tray-full' }],
    ['disk_free', { name: 'Disk free', state_topic: link.topics.telemetry, value_template: '{{ (value_json.diskFreeBytes / 1000000) | round(0) }}', unit_of_measurement: 'MB', state_class: 'measurement' }],
  ];
  for (const [objectId, config] of sensors) {
    const payload = { ...config, unique_id: `ecosight_${stationId}_${objectId}`, object_id: `ecosight_${stationId}_${objectId}`, device, availability };
    await link.publish(homeAssistantConfigTopic(discoveryPrefix, stationId, objectId), JSON.stringify(payload), { qos: 1, retain: true });
  }
}
