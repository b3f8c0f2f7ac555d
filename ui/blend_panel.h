// The blend panel: a weight per chosen style (shown normalized), strength, "keep
// original colours", scene light and the processing size ("brush size"). Every change is emitted
// at once as a BlendSettings; the engine applies it on its next frame.
#pragma once

#include <QList>
#include <QWidget>

#include "studio/studio_types.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;
class QVBoxLayout;

namespace stylize::ui {

class BlendPanel : public QWidget {
    Q_OBJECT
public:
    explicit BlendPanel(QWidget* parent = nullptr);

    stylize::studio::BlendSettings settings() const;
    QSlider* strengthSlider() const { return strength_; }
    QCheckBox* keepColoursBox() const { return keepColours_; }
    QSlider* sceneLightSlider() const { return sceneLight_; }
    QSlider* steadySlider() const { return steady_; }
    QComboBox* brushBox() const { return brush_; }
    // The weight slider of the style at position i of the blend (for tests).
    QSlider* weightSlider(int i) const;

public slots:
    // The chosen styles in order (ids and names); weights of styles already present are kept.
    void setStyles(const QStringList& ids, const QStringList& names);
    void setSettings(const stylize::studio::BlendSettings& settings);

signals:
    void blendChanged(const stylize::studio::BlendSettings& settings);

private:
    struct Row {
        QString id;
        QWidget* widget;
        QSlider* slider;
        QLabel* percent;
    };
    void updatePercents();
    void emitChange();

    QVBoxLayout* rows_ = nullptr;
    QLabel* hint_ = nullptr;
    QList<Row> styleRows_;
    QSlider* strength_ = nullptr;
    QLabel* strengthLabel_ = nullptr;
    QCheckBox* keepColours_ = nullptr;
    QSlider* sceneLight_ = nullptr;
    QLabel* sceneLightLabel_ = nullptr;
    QSlider* steady_ = nullptr;
    QLabel* steadyLabel_ = nullptr;
    QComboBox* brush_ = nullptr;
    bool applying_ = false;
};

}  // namespace stylize::ui
