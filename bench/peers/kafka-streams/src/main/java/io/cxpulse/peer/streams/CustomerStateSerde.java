package io.cxpulse.peer.streams;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.cxpulse.peer.rules.CustomerState;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/** The value serde of the `customers` store and its changelog: Jackson JSON. */
public final class CustomerStateSerde {
  private CustomerStateSerde() {}

  private static final ObjectMapper MAPPER =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  public static Serde<CustomerState> serde() {
    Serializer<CustomerState> serializer = (topic, state) -> {
      if (state == null) return null;
      try {
        return MAPPER.writeValueAsBytes(state);
      } catch (IOException e) {
        throw new SerializationException("customer state: " + e.getMessage(), e);
      }
    };
    Deserializer<CustomerState> deserializer = (topic, bytes) -> {
      if (bytes == null) return null;
      try {
        return MAPPER.readValue(bytes, CustomerState.class);
      } catch (IOException e) {
        throw new SerializationException("customer state: " + e.getMessage(), e);
      }
    };
    return Serdes.serdeFrom(serializer, deserializer);
  }
}
