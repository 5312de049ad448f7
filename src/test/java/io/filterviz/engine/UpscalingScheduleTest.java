package io.filterviz.engine;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class UpscalingScheduleTest {
    @Test
    void kerasExampleDefaults() {
        UpscalingSchedule s = AscentSettings.defaults().schedule();
        assertEquals(List.of(79, 95, 114, 137, 165, 198, 238, 286, 343),
                s.ascentSizes().stream().map(UpscalingSchedule.Size::width).toList());
        assertEquals(new UpscalingSchedule.Size(412, 412), s.finalSize());
        assertEquals(new UpscalingSchedule.Size(95, 95), s.after(0));
        assertEquals(new UpscalingSchedule.Size(412, 412), s.after(8));
    }

    @Test
    void rectangularAndCustom() {
        UpscalingSchedule s = UpscalingSchedule.of(64, 48, 2, 1.2);
        assertEquals(List.of(new UpscalingSchedule.Size(44, 33), new UpscalingSchedule.Size(53, 40)), s.ascentSizes());
        assertEquals(33, s.smallestSide());
    }
}
